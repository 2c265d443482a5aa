package io.firehosebridge.localfirehose;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Clients of the endpoint, the search cluster and the S3 store, and the seed's click events. */
final class FirehoseTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String ROLE = "arn:aws:iam::000000000000:role/firehose-test";

    /** The seed's three batch events (abridged to the fields that differ) and its single put event. */
    static final List<String> SEED_BATCH = List.of(
            "{\"user_id\":\"Aster-Kotlin-Sapphire-564\",\"device_model\":\"LM-G710N\",\"event\":\"interest_service_click\",\"interest_id\":1101,\"interest_name\":\"2\",\"interest_service_id\":null,\"interest_service_type\":\"4\",\"timestamp\":\"2019-05-03T00:20:00Z\"}",
            "{\"user_id\":\"Aster-Kotlin-Sapphire-564\",\"device_model\":\"LM-G710N\",\"event\":\"interest_service_click\",\"interest_id\":1301,\"interest_name\":\"55\",\"interest_service_id\":null,\"interest_service_type\":\"5\",\"timestamp\":\"2019-05-03T00:50:00Z\"}",
            "{\"user_id\":\"Aster-Kotlin-Sapphire-564\",\"device_model\":\"LM-G710N\",\"event\":\"interest_service_click\",\"interest_id\":1201,\"interest_name\":\"1\",\"interest_service_id\":null,\"interest_service_type\":\"1\",\"timestamp\":\"2019-05-03T01:15:00Z\"}");
    static final String SEED_PUT = "{\"user_id\":\"Aster-Kotlin-Sapphire-564\",\"device_model\":\"LM-G710N\",\"event\":\"interest_service_click\",\"interest_id\":1201,\"interest_name\":\"1\",\"interest_service_id\":null,\"interest_service_type\":\"1\",\"timestamp\":\"2019-04-30T07:30:00Z\"}";

    private FirehoseTestSupport() {
    }

    static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The stack's key pair: the one the endpoint knows from startup (local-firehose.auth.*). */
    static final String ACCESS_KEY_ID = "local-access-key";
    static final String SECRET_ACCESS_KEY = "local-secret-key";

    static FirehoseClient firehose(int port, boolean retries) {
        return firehose(port, retries, ACCESS_KEY_ID, SECRET_ACCESS_KEY);
    }

    /** A Firehose client signing with the given key, in the endpoint's region. */
    static FirehoseClient firehose(int port, boolean retries, String accessKeyId, String secretAccessKey) {
        var builder = FirehoseClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
                .httpClient(UrlConnectionHttpClient.create());
        if (!retries) {
            builder.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        }
        return builder.build();
    }

    static S3Client s3() {
        return StackDestinations.s3();
    }

    static RestClient search() {
        return RestClient.builder(HttpHost.create(StackDestinations.searchUrl())).build();
    }

    /** Documents in the index, 0 if it does not exist yet. */
    static long count(RestClient search, String index) throws IOException {
        try {
            search.performRequest(new Request("POST", "/" + index + "/_refresh"));
            return json(search.performRequest(new Request("GET", "/" + index + "/_count")).getEntity().getContent())
                    .path("count").asLong();
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return 0;
            }
            throw e;
        }
    }

    static JsonNode json(InputStream in) throws IOException {
        try (in) {
            return MAPPER.readTree(in);
        }
    }

    static List<String> keys(S3Client s3, String bucket, String prefix) {
        try {
            return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            return List.of();
        }
    }

    static String object(S3Client s3, String bucket, String key) {
        return new String(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray(), StandardCharsets.UTF_8);
    }

    static void awaitActive(FirehoseClient client, String stream) {
        await().atMost(Duration.ofSeconds(10)).until(() -> client.describeDeliveryStream(b -> b.deliveryStreamName(stream))
                .deliveryStreamDescription().deliveryStreamStatus() == DeliveryStreamStatus.ACTIVE);
    }

    /** A loopback port nothing listens on: a search cluster that is down. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
