package io.firehosebridge.localfirehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The endpoint's settings never print a secret: the S3 store's, nor the Firehose API key's (nested groups included). */
class LocalFirehoseConfigTest {

    private static final String S3_SECRET = "planted-s3-secret-91cc";
    private static final String API_SECRET = "planted-api-secret-4e0a";

    @Test
    void s3SecretDoesNotAppearWhenConfigurationIsPrinted() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                // Quarkus's own converter for "500ms"-style durations (plain SmallRye takes only ISO-8601).
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LocalFirehoseConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("local-firehose.s3.secret-access-key", S3_SECRET,
                        "local-firehose.auth.secret-access-key", API_SECRET), "planted", 100))
                .build();
        LocalFirehoseConfig local = config.getConfigMapping(LocalFirehoseConfig.class);
        assertThat(local.s3().secretAccessKey()).isEqualTo(S3_SECRET);

        assertThat(String.valueOf(local)).doesNotContain(S3_SECRET);
        assertThat(String.valueOf(local.s3())).doesNotContain(S3_SECRET);
        assertThat(local.auth().secretAccessKey()).isEqualTo(API_SECRET);
        assertThat(local.auth().verifySignatures()).isTrue();
        assertThat(String.valueOf(local)).doesNotContain(API_SECRET);
        assertThat(String.valueOf(local.auth())).doesNotContain(API_SECRET);
    }
}
