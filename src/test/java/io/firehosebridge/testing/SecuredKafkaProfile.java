package io.firehosebridge.testing;

import java.util.List;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The test profile with {@link SecuredKafkaResource} alone: the global PLAINTEXT settings do not apply. */
public class SecuredKafkaProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SecuredKafkaResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
