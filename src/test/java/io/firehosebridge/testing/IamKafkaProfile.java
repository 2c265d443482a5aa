package io.firehosebridge.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The test profile with {@link IamKafkaResource} alone: the global PLAINTEXT settings do not apply. */
public class IamKafkaProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(IamKafkaResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
