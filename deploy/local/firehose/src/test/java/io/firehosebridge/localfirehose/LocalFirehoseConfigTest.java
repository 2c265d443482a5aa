package io.firehosebridge.localfirehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The endpoint's settings never print the S3 store's secret, nested group included. */
class LocalFirehoseConfigTest {

    private static final String S3_SECRET = "planted-s3-secret-91cc";

    @Test
    void s3SecretDoesNotAppearWhenConfigurationIsPrinted() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                // Quarkus's own converter for "500ms"-style durations (plain SmallRye takes only ISO-8601).
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LocalFirehoseConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("local-firehose.s3.secret-access-key", S3_SECRET), "planted", 100))
                .build();
        LocalFirehoseConfig local = config.getConfigMapping(LocalFirehoseConfig.class);
        assertThat(local.s3().secretAccessKey()).isEqualTo(S3_SECRET);

        assertThat(String.valueOf(local)).doesNotContain(S3_SECRET);
        assertThat(String.valueOf(local.s3())).doesNotContain(S3_SECRET);
    }
}
