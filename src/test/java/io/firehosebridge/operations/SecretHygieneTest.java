package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.aws.AwsConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Configuration objects holding credentials do not print them, nested groups included. */
class SecretHygieneTest {

    private static final String AWS_SECRET = "planted-aws-secret-7f3a";

    @Test
    void credentialsDoNotAppearWhenConfigurationIsPrinted() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                // Quarkus's own converter for "500ms"-style durations (plain SmallRye takes only ISO-8601).
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(AwsConfig.class)
                .withSources(new PropertiesConfigSource(Map.of(
                        "bridge.aws.credentials.access-key-id", "planted-id",
                        "bridge.aws.credentials.secret-access-key", AWS_SECRET), "planted", 100))
                .build();
        AwsConfig aws = config.getConfigMapping(AwsConfig.class);
        assertThat(aws.credentials().secretAccessKey()).hasValue(AWS_SECRET);

        assertThat(String.valueOf(aws)).doesNotContain(AWS_SECRET);
        assertThat(String.valueOf(aws.credentials())).doesNotContain(AWS_SECRET);
    }
}
