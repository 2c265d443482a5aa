package io.firehosebridge.localfirehose.sts;

import io.firehosebridge.localfirehose.StackDestinations;
import io.firehosebridge.localfirehose.api.LocalFirehoseServer;
import io.firehosebridge.localfirehose.auth.SigningClients;
import io.firehosebridge.localfirehose.s3front.S3FrontServer;
import io.firehosebridge.localfirehose.searchfront.SearchFrontServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;
import software.amazon.awssdk.services.sts.model.InvalidIdentityTokenException;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * The local STS in the application, as the stack runs it (on, with the search front and the S3 front), driven by the AWS
 * SDK v2's own STS client and web identity provider: the token it issued gets credentials every front accepts until they
 * expire and refuses after, with each front's code; a wrong token, role or duration gets AWS STS's answer; and
 * {@code /_local/auth} counts what was issued and refused.
 */
@QuarkusTest
@TestProfile(LocalStsTest.StsOn.class)
class LocalStsTest {

    static final String TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImxvY2FsIn0."
            + "eyJpc3MiOiJodHRwczovL29pZGMubG9jYWwiLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YnJpZGdlOmJyaWRnZSJ9.c2lnbmF0dXJl";
    static final String ROLE = "arn:aws:iam::000000000000:role/kafka-firehose-bridge";

    /** Free ports; the STS, the search front (before an engine that is down) and the S3 front (before the stack's store) on. */
    public static class StsOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("local-firehose.port", "0"), Map.entry("quarkus.http.test-port", "0"),
                    Map.entry("local-firehose.default-stream.enabled", "false"),
                    Map.entry("local-firehose.sts.enabled", "true"), Map.entry("local-firehose.sts.port", "0"),
                    Map.entry("local-firehose.sts.web-identity-token", TOKEN),
                    Map.entry("local-firehose.search-front.enabled", "true"), Map.entry("local-firehose.search-front.port", "0"),
                    Map.entry("local-firehose.search-url", "http://127.0.0.1:" + closedPort()),
                    Map.entry("local-firehose.s3-front.enabled", "true"), Map.entry("local-firehose.s3-front.port", "0"));
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    LocalFirehoseServer firehose;

    @Inject
    StsServer sts;

    @Inject
    SearchFrontServer searchFront;

    @Inject
    S3FrontServer s3Front;

    @TempDir
    Path home;

    @AfterEach
    void restoreLifetime() throws Exception {
        putLifetime("PT60S");
    }

    @Test
    void theSdksWebIdentityProviderGetsCredentialsThatSignAFirehoseCall() throws Exception {
        Path tokenFile = home.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n", StandardCharsets.UTF_8);
        long issuedBefore = auth().path("issued").asLong();

        try (StsClient client = stsClient();
                StsWebIdentityTokenFileCredentialsProvider provider = StsWebIdentityTokenFileCredentialsProvider.builder()
                        .stsClient(client).roleArn(ROLE).roleSessionName("bridge-test").webIdentityTokenFile(tokenFile).build()) {
            AwsSessionCredentials credentials = (AwsSessionCredentials) provider.resolveCredentials();

            assertThat(credentials.accessKeyId()).matches("ASIA[A-Z0-9]{16}");
            assertThat(credentials.secretAccessKey()).hasSize(40);
            assertThat(credentials.sessionToken()).hasSizeGreaterThan(100);
            assertThat(credentials.expirationTime()).hasValueSatisfying(t -> assertThat(t)
                    .isBetween(Instant.now().plusSeconds(50), Instant.now().plusSeconds(61)));
            try (FirehoseClient client2 = firehose(StaticCredentialsProvider.create(credentials))) {
                assertThat(client2.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames()).isEmpty();
            }
        }
        assertThat(auth().path("issued").asLong()).isGreaterThan(issuedBefore);
    }

    @Test
    void theAnswerNamesTheAssumedRoleTheSubjectAndTheAudience() {
        try (StsClient client = stsClient()) {
            AssumeRoleWithWebIdentityResponse answer = client.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE)
                    .roleSessionName("session-1").webIdentityToken(TOKEN));

            assertThat(answer.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::000000000000:assumed-role/kafka-firehose-bridge/session-1");
            assertThat(answer.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z0-9]{17}:session-1");
            assertThat(answer.subjectFromWebIdentityToken()).isEqualTo("system:serviceaccount:bridge:bridge");
            assertThat(answer.audience()).isEqualTo("sts.amazonaws.com");
            assertThat(answer.provider()).isEqualTo("arn:aws:iam::000000000000:oidc-provider/oidc.local");
            assertThat(answer.responseMetadata().requestId()).isNotBlank();
        }
    }

    @Test
    void credentialsPassEveryFrontUntilTheyExpireAndAreRefusedAfter() throws Exception {
        StackDestinations.ensureStarted();
        putLifetime("PT5S");
        JsonNode before = auth();
        AwsSessionCredentials credentials = assume();
        URI search = URI.create(searchFront.url() + "/");
        AwsSessionCredentialsIdentity identity = AwsSessionCredentialsIdentity.create(credentials.accessKeyId(),
                credentials.secretAccessKey(), credentials.sessionToken());

        try (FirehoseClient client = firehose(StaticCredentialsProvider.create(credentials));
                S3Client s3 = s3(StaticCredentialsProvider.create(credentials))) {
            assertThat(client.listDeliveryStreams(b -> b.limit(10)).deliveryStreamNames()).isEmpty();
            assertThat(s3.listBuckets().buckets()).isNotNull();
            // Let in: the engine behind the front is down, so the front answers 502 instead of its 403.
            assertThat(SigningClients.sendSigned("GET", search, null, Map.of(), identity, "es", false).statusCode()).isEqualTo(502);

            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    catchThrowableOfType(FirehoseException.class, () -> client.listDeliveryStreams(b -> b.limit(10))))
                    .isNotNull()
                    .satisfies(e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ExpiredTokenException")));
            S3Exception s3Expired = catchThrowableOfType(S3Exception.class, s3::listBuckets);
            assertThat(s3Expired.statusCode()).isEqualTo(400);
            assertThat(s3Expired.awsErrorDetails().errorCode()).isEqualTo("ExpiredToken");
            assertThat(s3Expired.awsErrorDetails().errorMessage()).isEqualTo("The provided token has expired.");
        }
        HttpResponse<String> searchExpired = SigningClients.sendSigned("GET", search, null, Map.of(), identity, "es", false);
        assertThat(searchExpired.statusCode()).isEqualTo(403);
        assertThat(searchExpired.body()).isEqualTo("{\"message\":\"The security token included in the request is expired\"}");

        JsonNode after = auth();
        assertThat(after.path("issued").asLong()).isEqualTo(before.path("issued").asLong() + 1);
        assertThat(refusedSince(before, after, "firehose", "ExpiredTokenException")).isEqualTo(1);
        assertThat(refusedSince(before, after, "s3", "ExpiredToken")).isEqualTo(1);
        assertThat(refusedSince(before, after, "search", "ExpiredTokenException")).isEqualTo(1);
    }

    @Test
    void aWrongTokenGetsInvalidIdentityToken() throws Exception {
        JsonNode before = auth();
        try (StsClient client = stsClient()) {
            InvalidIdentityTokenException e = catchThrowableOfType(InvalidIdentityTokenException.class, () -> client.assumeRoleWithWebIdentity(
                    b -> b.roleArn(ROLE).roleSessionName("s1").webIdentityToken("eyJhbGciOiJSUzI1NiJ9.c3BvaWx0.c3BvaWx0")));

            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("The web identity token that was passed could not be validated by AWS. "
                    + "Get a new identity token from the identity provider and then retry the request.");
        }
        assertThat(refusedSince(before, auth(), "sts", "InvalidIdentityToken")).isEqualTo(1);
    }

    @Test
    void anotherRoleGetsAccessDenied() {
        StsException e = refusal("arn:aws:iam::000000000000:role/someone-else", null);

        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }

    @Test
    void durationSecondsOutsideTheModelsBoundsGetsValidationError() {
        StsException low = refusal(ROLE, 899);
        StsException high = refusal(ROLE, 43201);
        StsException overTheRolesMaximum = refusal(ROLE, 7200);

        assertThat(low.statusCode()).isEqualTo(400);
        assertThat(low.awsErrorDetails().errorCode()).isEqualTo("ValidationError");
        assertThat(low.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value '899' at 'durationSeconds' "
                + "failed to satisfy constraint: Member must have value greater than or equal to 900");
        assertThat(high.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value '43201' at 'durationSeconds' "
                + "failed to satisfy constraint: Member must have value less than or equal to 43200");
        assertThat(overTheRolesMaximum.awsErrorDetails().errorMessage())
                .isEqualTo("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        try (StsClient client = stsClient()) {
            assertThat(client.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("s1").webIdentityToken(TOKEN)
                    .durationSeconds(900)).credentials().accessKeyId()).startsWith("ASIA");
        }
    }

    @Test
    void missingParametersAndUnknownActionsGetAwsStsErrors() throws Exception {
        HttpResponse<String> missing = post("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleSessionName=s1");
        HttpResponse<String> unknown = post("Action=GetCallerIdentity&Version=2011-06-15");

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("text/xml");
        assertThat(missing.body()).startsWith("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">")
                .contains("<Type>Sender</Type>").contains("<Code>ValidationError</Code>")
                .contains("<Message>2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
                        + "Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null</Message>")
                .containsPattern("<RequestId>[0-9a-f-]{36}</RequestId>");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("<Code>InvalidAction</Code>")
                .contains("<Message>Could not find operation GetCallerIdentity for version 2011-06-15</Message>");
    }

    @Test
    void theLifetimeIsReadAndChangedOnTheAdminApi() throws Exception {
        HttpResponse<String> settings = SigningClients.local(firehose.port(), "GET", "/_local/sts", null);
        HttpResponse<String> invalid = putLifetime("PT0S");

        assertThat(settings.statusCode()).isEqualTo(200);
        JsonNode json = MAPPER.readTree(settings.body());
        assertThat(json.path("credentialLifetime").asText()).isEqualTo("PT1M");
        assertThat(json.path("roleArn").asText()).isEqualTo(ROLE);
        assertThat(json.path("url").asText()).isEqualTo(sts.url());
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(putLifetime("PT2M").statusCode()).isEqualTo(204);
        assertThat(assume().expirationTime()).hasValueSatisfying(t -> assertThat(t).isAfter(Instant.now().plusSeconds(100)));
    }

    private AwsSessionCredentials assume() {
        try (StsClient client = stsClient()) {
            var c = client.assumeRoleWithWebIdentity(b -> b.roleArn(ROLE).roleSessionName("test").webIdentityToken(TOKEN)).credentials();
            return AwsSessionCredentials.builder().accessKeyId(c.accessKeyId()).secretAccessKey(c.secretAccessKey())
                    .sessionToken(c.sessionToken()).expirationTime(c.expiration()).build();
        }
    }

    private StsException refusal(String role, Integer durationSeconds) {
        try (StsClient client = stsClient()) {
            StsException e = catchThrowableOfType(StsException.class, () -> client.assumeRoleWithWebIdentity(b -> b.roleArn(role)
                    .roleSessionName("s1").webIdentityToken(TOKEN).durationSeconds(durationSeconds)));
            assertThat(e).as("refused").isNotNull();
            return e;
        }
    }

    private StsClient stsClient() {
        return StsClient.builder().endpointOverride(URI.create(sts.url())).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private FirehoseClient firehose(AwsCredentialsProvider credentials) {
        return FirehoseClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + firehose.port())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private S3Client s3(AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(URI.create(s3Front.url())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    private HttpResponse<String> post(String form) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sts.url() + "/")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putLifetime(String lifetime) throws IOException, InterruptedException {
        return SigningClients.local(firehose.port(), "PUT", "/_local/sts", "{\"credentialLifetime\":\"" + lifetime + "\"}");
    }

    private JsonNode auth() throws IOException, InterruptedException {
        HttpResponse<String> response = SigningClients.local(firehose.port(), "GET", "/_local/auth", null);
        assertThat(response.statusCode()).isEqualTo(200);
        return MAPPER.readTree(response.body());
    }

    private static long refusedSince(JsonNode before, JsonNode after, String front, String code) {
        return after.path("refused").path(front).path(code).asLong() - before.path("refused").path(front).path(code).asLong();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
