package io.firehosebridge.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.firehosebridge.search.SearchConfig.Auth;
import io.firehosebridge.search.SearchConfig.AwsService;

import java.time.Duration;
import java.util.Map;

import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.junit.jupiter.api.Test;

import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.AwsConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** bridge.search.auth: its values as written in the docs, and the settings that stop a start, named in the message. */
class SearchAuthenticationTest {

    /** The hook as Quarkus would have it, from these settings and credentials. */
    static SearchAuthentication authentication(AwsCredentials credentials, Map<String, String> settings) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(SearchConfig.class).withMapping(AwsConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter()).withSources(new PropertiesConfigSource(settings, "test", 100)).build();
        SearchAuthentication auth = new SearchAuthentication();
        auth.config = config.getConfigMapping(SearchConfig.class);
        auth.aws = config.getConfigMapping(AwsConfig.class);
        auth.credentials = StaticCredentialsProvider.create(credentials);
        auth.clock = new AwsClock();
        auth.allSettings = config;
        return auth;
    }

    private static SearchConfig search(Map<String, String> settings) {
        return new SmallRyeConfigBuilder().withMapping(SearchConfig.class).withSources(new PropertiesConfigSource(settings, "test", 100))
                .build().getConfigMapping(SearchConfig.class);
    }

    @Test
    void defaultsToNoneSoNothingChanges() {
        SearchConfig config = search(Map.of());
        assertThat(config.auth()).isEqualTo(Auth.NONE);
        assertThat(config.awsService()).isEqualTo(AwsService.ES);
    }

    @Test
    void readsTheValuesTheDocsName() {
        assertThat(search(Map.of("bridge.search.auth", "aws-sigv4")).auth()).isEqualTo(Auth.AWS_SIGV4);
        assertThat(search(Map.of("bridge.search.auth", "basic")).auth()).isEqualTo(Auth.BASIC);
        assertThat(search(Map.of("bridge.search.auth", "none")).auth()).isEqualTo(Auth.NONE);
        assertThat(search(Map.of("bridge.search.aws-service", "aoss")).awsService().signingName()).isEqualTo("aoss");
        assertThat(search(Map.of("bridge.search.aws-service", "es")).awsService().signingName()).isEqualTo("es");
        assertThatThrownBy(() -> search(Map.of("bridge.search.auth", "sigv4")).auth()).hasMessageContaining("bridge.search.auth");
    }

    @Test
    void basicWithoutUsernameAndPasswordStopsTheStartNamingWhatIsMissing() {
        assertThatThrownBy(() -> SearchAuthentication.check(Auth.BASIC, false, false, false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("bridge.search.auth=basic needs quarkus.elasticsearch.username and quarkus.elasticsearch.password")
                .hasMessageEndingWith("quarkus.elasticsearch.username and quarkus.elasticsearch.password not set");
        assertThatThrownBy(() -> SearchAuthentication.check(Auth.BASIC, true, false, false))
                .isInstanceOf(ConfigurationException.class).hasMessageEndingWith("; quarkus.elasticsearch.password not set");
        assertThatThrownBy(() -> SearchAuthentication.check(Auth.BASIC, false, true, false))
                .isInstanceOf(ConfigurationException.class).hasMessageEndingWith("; quarkus.elasticsearch.username not set");
        assertThatCode(() -> SearchAuthentication.check(Auth.BASIC, true, true, false)).doesNotThrowAnyException();
    }

    @Test
    void signingWithBasicCredentialsSetTooStopsTheStartNamingBoth() {
        for (boolean[] set : new boolean[][] { { true, true }, { true, false }, { false, true } }) {
            assertThatThrownBy(() -> SearchAuthentication.check(Auth.AWS_SIGV4, set[0], set[1], false))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("bridge.search.auth=aws-sigv4")
                    .hasMessageContaining("quarkus.elasticsearch.username/quarkus.elasticsearch.password is set too");
        }
        assertThatThrownBy(() -> SearchAuthentication.check(Auth.AWS_SIGV4, false, false, true))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.search.auth=aws-sigv4").hasMessageContaining("quarkus.elasticsearch.api-key is set too");
        assertThatCode(() -> SearchAuthentication.check(Auth.AWS_SIGV4, false, false, false)).doesNotThrowAnyException();
    }

    @Test
    void noneLeavesQuarkusOwnCredentialsAsTheyWere() {
        assertThatCode(() -> SearchAuthentication.check(Auth.NONE, true, true, false)).doesNotThrowAnyException();
        assertThatCode(() -> SearchAuthentication.check(Auth.NONE, false, false, true)).doesNotThrowAnyException();
    }

    @Test
    void theHookReadsQuarkusSettingsAndRefusesTheConflict() {
        SearchAuthentication auth = authentication(AwsBasicCredentials.create("id", "secret"),
                Map.of("bridge.search.auth", "aws-sigv4", "bridge.aws.region", "eu-west-1", "quarkus.elasticsearch.username", "elastic",
                        "quarkus.elasticsearch.password", "changeme"));
        assertThatThrownBy(() -> auth.customizeHttpClient(HttpAsyncClientBuilder.create()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("quarkus.elasticsearch.username")
                .hasMessageNotContaining("changeme");

        SearchAuthentication basic = authentication(AwsBasicCredentials.create("id", "secret"),
                Map.of("bridge.search.auth", "basic", "quarkus.elasticsearch.username", "elastic"));
        assertThatThrownBy(() -> basic.customizeHttpClient(HttpAsyncClientBuilder.create()))
                .isInstanceOf(ConfigurationException.class).hasMessageEndingWith("; quarkus.elasticsearch.password not set");
    }
}
