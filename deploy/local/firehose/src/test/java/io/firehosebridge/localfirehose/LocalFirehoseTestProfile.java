package io.firehosebridge.localfirehose;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The test profile with the endpoint on a free port (so parallel runs on this host never collide on 4573)
 * a short CREATING phase (long enough for a describe and a put on a busy two-core machine: 300 ms once was not), and
 * a buffer bound small enough to reach in a test.
 */
public class LocalFirehoseTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "local-firehose.port", "0",
                "local-firehose.creating-delay", "1s",
                "local-firehose.max-buffered-bytes", "4194304",
                "quarkus.http.test-port", "0");
    }
}
