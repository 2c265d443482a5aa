package io.firehosebridge.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The clients AwsClients makes, without the service: the shared credentials, the region, each endpoint override. */
class AwsClientsTest {

    private final AwsClients clients = new AwsClients();

    private static AwsConfig config(String id, String secret, URI s3Endpoint) {
        return config(id, secret, s3Endpoint, Duration.ofMinutes(5), Duration.ofMinutes(1));
    }

    private static AwsConfig config(String id, String secret, URI s3Endpoint, Duration refresh, Duration block) {
        return new AwsConfig() {
            @Override
            public Optional<String> region() {
                return Optional.of("eu-west-1");
            }

            @Override
            public Credentials credentials() {
                return new Credentials() {
                    @Override
                    public Optional<String> accessKeyId() {
                        return Optional.ofNullable(id);
                    }

                    @Override
                    public Optional<String> secretAccessKey() {
                        return Optional.ofNullable(secret);
                    }

                    @Override
                    public Duration refreshBeforeExpiry() {
                        return refresh;
                    }

                    @Override
                    public Duration blockBeforeExpiry() {
                        return block;
                    }
                };
            }

            @Override
            public boolean s3PathStyle() {
                return true;
            }

            @Override
            public Optional<URI> s3Endpoint() {
                return Optional.ofNullable(s3Endpoint);
            }
        };
    }

    @Test
    void credentialsSetByHalfStopTheStartNamingBothSettings() {
        assertThatThrownBy(() -> clients.credentials(config("AKID", null, null))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.aws.credentials.access-key-id").hasMessageContaining("bridge.aws.credentials.secret-access-key");
    }

    @Test
    void staticKeysWhenBothAreSet() {
        AwsCredentialsProvider credentials = clients.credentials(config("AKID", "secret", null));
        assertThat(credentials).isInstanceOf(StaticCredentialsProvider.class);
        assertThat(credentials.resolveCredentials().accessKeyId()).isEqualTo("AKID");
    }

    @Test
    void aWebIdentityInTheEnvironmentGetsTheWebIdentityProvider() throws Exception {
        AwsClients.WebIdentity irsa = new AwsClients.WebIdentity("arn:aws:iam::111122223333:role/bridge", Path.of("/var/run/secrets/token"));
        AwsCredentialsProvider credentials = clients.credentials(config(null, null, null, Duration.ofSeconds(40), Duration.ofSeconds(10)),
                Optional.of(irsa));
        assertThat(credentials).isInstanceOf(WebIdentityTokenFileCredentialsProvider.class);
        ((AutoCloseable) credentials).close();
    }

    @Test
    void staticKeysWinOverAWebIdentity() {
        AwsClients.WebIdentity irsa = new AwsClients.WebIdentity("arn:aws:iam::111122223333:role/bridge", Path.of("/var/run/secrets/token"));
        assertThat(clients.credentials(config("AKID", "secret", null), Optional.of(irsa))).isInstanceOf(StaticCredentialsProvider.class);
    }

    @Test
    void blockingNotShorterThanRefreshingStopsTheStartNamingBothSettings() {
        assertThatThrownBy(() -> clients.credentials(config(null, null, null, Duration.ofSeconds(30), Duration.ofSeconds(30)), Optional.empty()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("bridge.aws.credentials.block-before-expiry")
                .hasMessageContaining("bridge.aws.credentials.refresh-before-expiry");
    }

    @Test
    void theS3ClientTakesTheSharedCredentialsRegionAndItsEndpoint() {
        AwsConfig aws = config("AKID", "secret", URI.create("http://127.0.0.1:9000"));
        AwsCredentialsProvider credentials = clients.credentials(aws);
        try (S3Client s3 = clients.s3(aws, credentials)) {
            assertThat(s3.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
            assertThat(s3.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:9000"));
            assertThat(s3.serviceClientConfiguration().credentialsProvider().resolveIdentity().join().accessKeyId()).isEqualTo("AKID");
        }
    }

    @Test
    void theFirehoseClientTakesTheDeliveryEndpointAndCallTimeoutAndDoesNotRetry() {
        AwsConfig aws = config("AKID", "secret", null);
        AwsClients.FirehoseSettings settings = new AwsClients.FirehoseSettings(Optional.of(URI.create("http://127.0.0.1:4573")), Duration.ofSeconds(7));
        try (FirehoseAsyncClient firehose = clients.firehose(settings, aws, clients.credentials(aws))) {
            assertThat(firehose.serviceClientConfiguration().region()).isEqualTo(Region.EU_WEST_1);
            assertThat(firehose.serviceClientConfiguration().endpointOverride()).contains(URI.create("http://127.0.0.1:4573"));
            assertThat(firehose.serviceClientConfiguration().overrideConfiguration().apiCallTimeout()).contains(Duration.ofSeconds(7));
            assertThat(firehose.serviceClientConfiguration().overrideConfiguration().retryStrategy()).isPresent();
        }
    }
}
