package io.firehosebridge.localfirehose.searchfront;

import io.firehosebridge.localfirehose.api.LocalFirehoseServer;
import io.firehosebridge.localfirehose.auth.SigningClients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.AmazonopensearchserviceDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.AmazonopensearchserviceS3BackupMode;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;

/**
 * The search front in the application, as the stack runs it (on, mode es, delivery through it), in front of a stand-in
 * engine: it takes the keys registered on the Firehose port, and the endpoint's own deliveries to a DomainARN reach the
 * engine through it, signed as Firehose signs with its role.
 */
@QuarkusTest
@TestProfile(SearchFrontWiringTest.FrontOn.class)
@WithTestResource(value = SearchFrontWiringTest.Engine.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SearchFrontWiringTest {

    /** Free ports, no stream at startup, the front on and deliveries through it. */
    public static class FrontOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("local-firehose.port", "0", "quarkus.http.test-port", "0", "local-firehose.default-stream.enabled", "false",
                    "local-firehose.search-front.enabled", "true", "local-firehose.search-front.port", "0",
                    "local-firehose.search-front.deliver-through-front", "true");
        }
    }

    /** The stand-in engine, as the endpoint's search URL. */
    public static class Engine implements QuarkusTestResourceLifecycleManager {
        static FakeEngine engine;

        @Override
        public Map<String, String> start() {
            engine = new FakeEngine();
            return Map.of("local-firehose.search-url", engine.url());
        }

        @Override
        public void stop() {
            engine.close();
        }
    }

    private static final String ROLE = "arn:aws:iam::000000000000:role/firehose-test";

    @Inject
    LocalFirehoseServer firehose;

    @Inject
    SearchFrontServer front;

    @Test
    void keysRegisteredOnTheFirehosePortPassTheFrontUntilExpiredOrRemoved() throws Exception {
        URI root = URI.create(front.url() + "/");
        AwsSessionCredentialsIdentity session = AwsSessionCredentialsIdentity.create("ASIALOCALWIRING00001", "wiring-secret", "wiring-token");
        String key = "{\"secretAccessKey\":\"wiring-secret\",\"sessionToken\":\"wiring-token\",\"expiration\":\"%s\"}";

        assertThat(SigningClients.admin(firehose.port(), "PUT", "/ASIALOCALWIRING00001", key.formatted(Instant.now().plusSeconds(3600)))
                .statusCode()).isEqualTo(204);
        assertThat(SigningClients.sendSigned("GET", root, null, Map.of(), session, "es", false).statusCode()).isEqualTo(200);

        SigningClients.admin(firehose.port(), "PUT", "/ASIALOCALWIRING00001", key.formatted(Instant.now().minusSeconds(1)));
        HttpResponse<String> expired = SigningClients.sendSigned("GET", root, null, Map.of(), session, "es", false);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(expired.body()).isEqualTo("{\"message\":\"The security token included in the request is expired\"}");

        assertThat(SigningClients.admin(firehose.port(), "DELETE", "/ASIALOCALWIRING00001", null).statusCode()).isEqualTo(204);
        HttpResponse<String> removed = SigningClients.sendSigned("GET", root, null, Map.of(), session, "es", false);
        assertThat(removed.statusCode()).isEqualTo(403);
        assertThat(removed.body()).isEqualTo("{\"message\":\"The security token included in the request is invalid.\"}");

        AwsCredentialsIdentity stack = AwsCredentialsIdentity.create(SigningClients.ACCESS_KEY_ID, SigningClients.SECRET_ACCESS_KEY);
        assertThat(SigningClients.sendSigned("GET", root, null, Map.of(), stack, "es", false).statusCode()).isEqualTo(200);
        assertThat(SigningClients.sendUnsigned("GET", root, null).statusCode()).isEqualTo(403);
    }

    @Test
    void deliveryToADomainArnReachesTheEngineThroughTheFront() {
        String stream = "through-front";
        try (FirehoseClient client = FirehoseClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + firehose.port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(SigningClients.ACCESS_KEY_ID,
                        SigningClients.SECRET_ACCESS_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            client.createDeliveryStream(b -> b.deliveryStreamName(stream).deliveryStreamType("DirectPut")
                    .amazonopensearchserviceDestinationConfiguration(AmazonopensearchserviceDestinationConfiguration.builder()
                            .roleARN(ROLE)
                            .domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                            .indexName("through-front")
                            .bufferingHints(h -> h.intervalInSeconds(0).sizeInMBs(1))
                            .s3BackupMode(AmazonopensearchserviceS3BackupMode.FAILED_DOCUMENTS_ONLY)
                            .s3Configuration(s3 -> s3.roleARN(ROLE).bucketARN("arn:aws:s3:::through-front-failed"))
                            .build()));
            await().atMost(Duration.ofSeconds(10)).until(() -> client.describeDeliveryStream(b -> b.deliveryStreamName(stream))
                    .deliveryStreamDescription().deliveryStreamStatus() == DeliveryStreamStatus.ACTIVE);

            client.putRecord(b -> b.deliveryStreamName(stream).record(r -> r.data(SdkBytes.fromUtf8String("{\"interest_id\":1201}\n"))));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Engine.engine.received())
                    .filteredOn(r -> r.rawPath().equals("/_bulk"))
                    .singleElement()
                    .satisfies(bulk -> {
                        assertThat(bulk.method()).isEqualTo("POST");
                        assertThat(bulk.body()).contains("\"_index\":\"through-front-").contains("{\"interest_id\":1201}");
                        assertThat(bulk.headers()).doesNotContainKeys("authorization", "x-amz-date");
                    }));
        }
    }
}
