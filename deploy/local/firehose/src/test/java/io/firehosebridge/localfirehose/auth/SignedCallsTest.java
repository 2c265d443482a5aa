package io.firehosebridge.localfirehose.auth;

import io.firehosebridge.localfirehose.api.LocalFirehoseServer;
import io.firehosebridge.localfirehose.auth.SigningClients.Result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.FirehoseException;

/**
 * The endpoint on a free loopback port with signatures checked, driven by the AWS SDK v2, boto3, the AWS CLI and plain HTTP:
 * the stack's keys pass, wrong ones get AWS's error codes, and temporary credentials registered at runtime pass until they
 * expire or are removed. It needs no search cluster or S3 store: no record is put.
 */
@QuarkusTest
@TestProfile(SignedCallsTest.NoDestinations.class)
class SignedCallsTest {

    /** A free port, and no stream at startup (nothing is delivered anywhere). */
    public static class NoDestinations implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("local-firehose.port", "0", "quarkus.http.test-port", "0", "local-firehose.default-stream.enabled", "false");
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    LocalFirehoseServer server;

    @Test
    void sdkWithTheStacksKeysIsAccepted() {
        try (FirehoseClient firehose = client(AwsBasicCredentials.create("local-access-key", "local-secret-key"))) {
            assertThat(firehose.listDeliveryStreams(b -> b.limit(10)).hasMoreDeliveryStreams()).isFalse();
        }
    }

    @Test
    void sdkWithAWrongSecretGetsInvalidSignatureException() {
        FirehoseException e = refusal(AwsBasicCredentials.create("local-access-key", "wrong-secret"));

        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorMessage()).startsWith("The request signature we calculated does not match the signature you provided.");
    }

    @Test
    void sdkWithAnUnknownKeyGetsUnrecognizedClientException() {
        FirehoseException e = refusal(AwsBasicCredentials.create("AKIAUNKNOWN000000000", "local-secret-key"));

        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The security token included in the request is invalid.");
    }

    @Test
    void unsignedCallGetsMissingAuthenticationTokenWithTheCodeInBodyAndHeader() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/x-amz-json-1.1").header("X-Amz-Target", "Firehose_20150804.ListDeliveryStreams")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
        assertThat(MAPPER.readTree(response.body()).get("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
        assertThat(MAPPER.readTree(response.body()).get("message").asText()).isEqualTo("Missing Authentication Token");
    }

    @Test
    void temporaryCredentialsRegisteredAtRuntimePassUntilExpiredOrRemoved() throws Exception {
        AwsSessionCredentials session = AwsSessionCredentials.create("ASIALOCALTEST0000001", "temporary-secret", "token-1");
        assertThat(admin("PUT", "/ASIALOCALTEST0000001", "{\"secretAccessKey\":\"temporary-secret\",\"sessionToken\":\"token-1\","
                + "\"expiration\":\"" + Instant.now().plusSeconds(3600) + "\"}").statusCode()).isEqualTo(204);
        try (FirehoseClient firehose = client(session)) {
            assertThat(firehose.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames()).isEmpty();
        }
        HttpResponse<String> listed = admin("GET", "", null);
        assertThat(listed.body()).contains("ASIALOCALTEST0000001").doesNotContain("temporary-secret").doesNotContain("token-1");

        assertThat(refusal(AwsSessionCredentials.create("ASIALOCALTEST0000001", "temporary-secret", "token-2"))
                .awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");

        admin("PUT", "/ASIALOCALTEST0000001", "{\"secretAccessKey\":\"temporary-secret\",\"sessionToken\":\"token-1\","
                + "\"expiration\":\"" + Instant.now().minusSeconds(1) + "\"}");
        FirehoseException expired = refusal(session);
        assertThat(expired.awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException");
        assertThat(expired.statusCode()).isEqualTo(400);

        assertThat(admin("DELETE", "/ASIALOCALTEST0000001", null).statusCode()).isEqualTo(204);
        assertThat(refusal(session).awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
    }

    @Test
    void boto3AndTheAwsCliPassWithTheStacksKeysAndAreRefusedWithAWrongSecret() throws Exception {
        String endpoint = endpoint().toString();
        String list = "import boto3,os; c=boto3.client('firehose', endpoint_url=os.environ['FIREHOSE_ENDPOINT_URL']); "
                + "print(c.list_delivery_streams(Limit=10)['HasMoreDeliveryStreams'])";

        Result boto3 = run(List.of("python3", "-c", list), "local-secret-key");
        Result boto3Wrong = run(List.of("python3", "-c", list), "wrong-secret");
        Result cli = run(List.of("aws", "firehose", "list-delivery-streams", "--endpoint-url", endpoint), "local-secret-key");
        Result cliWrong = run(List.of("aws", "firehose", "list-delivery-streams", "--endpoint-url", endpoint), "wrong-secret");

        assertThat(boto3.exit()).as(boto3.output()).isZero();
        assertThat(boto3.output()).contains("False");
        assertThat(boto3Wrong.exit()).isNotZero();
        assertThat(boto3Wrong.output()).contains("(InvalidSignatureException) when calling the ListDeliveryStreams operation");
        assertThat(cli.exit()).as(cli.output()).isZero();
        assertThat(cliWrong.exit()).isNotZero();
        assertThat(cliWrong.output()).contains("(InvalidSignatureException) when calling the ListDeliveryStreams operation");
    }

    @Test
    void curlAwsSigv4IsAcceptedAsTheStackLauncherSignsItsHealthCheck() throws Exception {
        assumeTrue(SigningClients.commandRuns("curl", "--version"), "curl is not installed");
        List<String> list = List.of("curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:firehose",
                "--user", "local-access-key:%s", "-X", "POST", "-H", "Content-Type: application/x-amz-json-1.1",
                "-H", "X-Amz-Target: Firehose_20150804.ListDeliveryStreams", "-d", "{}", endpoint().toString());

        Result signed = SigningClients.run(list.stream().map(a -> a.replace("%s", "local-secret-key")).toList(), "local-access-key",
                "local-secret-key", Map.of());
        Result wrong = SigningClients.run(list.stream().map(a -> a.replace("%s", "wrong-secret")).toList(), "local-access-key",
                "wrong-secret", Map.of());

        assertThat(signed.output()).contains("\"DeliveryStreamNames\":[]").endsWith("\n200");
        assertThat(wrong.output()).contains("InvalidSignatureException").endsWith("\n400");
    }

    @Test
    void aStackClockAheadRefusesTheCallersTimeSaysAwsTimeInDateAndTheSdkCorrectsItself() throws Exception {
        try {
            assertThat(clock("{\"offset\":\"PT10M\"}").statusCode()).isEqualTo(200);
            FirehoseException e = refusal(AwsBasicCredentials.create("local-access-key", "local-secret-key"));

            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
            assertThat(e.awsErrorDetails().errorMessage()).startsWith("Signature expired: ").endsWith(" - 5 min.)");
            Instant awsTime = ZonedDateTime.parse(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Date").orElseThrow(),
                    DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertThat(Duration.between(Instant.now(), awsTime)).isBetween(Duration.ofSeconds(590), Duration.ofSeconds(610));
            // The SDK, with its retries, corrects its signing time from that Date and signs again.
            try (FirehoseClient retrying = retryingClient()) {
                assertThat(retrying.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames()).isEmpty();
            }
        } finally {
            assertThat(clock("{\"offset\":\"PT0S\"}").statusCode()).isEqualTo(200);
            // The SDK keeps the offset it learned for the whole JVM: one call with retries corrects it back.
            try (FirehoseClient retrying = retryingClient()) {
                retrying.listDeliveryStreams(b -> b.limit(10));
            }
        }
        HttpResponse<String> bad = clock("{\"offset\":\"ten minutes\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private FirehoseClient retryingClient() {
        return FirehoseClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private HttpResponse<String> clock(String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/_local/clock"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    private FirehoseClient client(AwsCredentials credentials) {
        return FirehoseClient.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(credentials)).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private FirehoseException refusal(AwsCredentials credentials) {
        try (FirehoseClient firehose = client(credentials)) {
            FirehoseException e = catchThrowableOfType(FirehoseException.class, () -> firehose.listDeliveryStreams(b -> b.limit(10)));
            assertThat(e).as("refused").isNotNull();
            return e;
        }
    }

    private HttpResponse<String> admin(String method, String path, String body) throws IOException, InterruptedException {
        return SigningClients.admin(server.port(), method, path, body);
    }

    /** Runs a client with the stack's access key, the given secret and the endpoint's region. */
    private Result run(List<String> command, String secret) throws IOException, InterruptedException {
        return SigningClients.run(command, "local-access-key", secret, Map.of("FIREHOSE_ENDPOINT_URL", endpoint().toString()));
    }
}
