package io.firehosebridge.localfirehose.s3front;

import io.firehosebridge.localfirehose.StackDestinations;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.Credential;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.auth.SigningClients;
import io.firehosebridge.localfirehose.auth.SigningClients.Result;
import io.firehosebridge.localfirehose.destination.DeliverySigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 front on a free loopback port, without Quarkus, before the local stack's S3 store (brought up if it is not
 * running), with keys of its own that the store does not know: the AWS SDK v2's S3 client and the AWS CLI list, read and
 * write through it with a long-term or a temporary key, and every key or signature S3 refuses gets S3's status and code,
 * counted.
 */
class S3FrontTest {

    private static final Credential FRONT_KEY = Credential.longTerm("front-access-key", "front-secret-key");
    private static final Credential TEMPORARY = new Credential("ASIAFRONTTEMPORARY01", "temporary-secret", "token-1",
            Instant.now().plus(Duration.ofHours(1)));
    private static final Credential EXPIRED = new Credential("ASIAFRONTEXPIRED0001", "expired-secret", "token-2",
            Instant.now().minusSeconds(1));

    private static Vertx vertx;
    private static S3Front front;
    private static URI url;
    private static AuthCounts counts;
    private static String bucket;

    @BeforeAll
    static void start() throws Exception {
        StackDestinations.ensureStarted();
        bucket = "s3-front-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client store = StackDestinations.s3()) {
            store.createBucket(b -> b.bucket(bucket));
            store.putObject(b -> b.bucket(bucket).key("2026/12/07/clicks-1"), RequestBody.fromString("{\"interest_id\":1201}\n"));
            store.putObject(b -> b.bucket(bucket).key("2026/12/07/a key with spaces+plus"), RequestBody.fromString("odd"));
        }
        vertx = Vertx.vertx();
        counts = new AuthCounts();
        front = new S3Front(vertx, new CredentialStore(List.of(FRONT_KEY, TEMPORARY, EXPIRED)), "us-east-1", Duration.ofMinutes(5),
                Clock.systemUTC(), "http://127.0.0.1:9000", DeliverySigner.forS3("local-access-key", "local-secret-key", "us-east-1"), counts);
        url = URI.create("http://127.0.0.1:" + front.listen("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws Exception {
        front.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aLongTermKeyListsGetsAndHeadsThroughTheFront() {
        try (S3Client s3 = client(basic(FRONT_KEY))) {
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(bucket);
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("2026/12/07/")).contents()).extracting(S3Object::key)
                    .containsExactlyInAnyOrder("2026/12/07/clicks-1", "2026/12/07/a key with spaces+plus");
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("2026/12/07/clicks-1")).asUtf8String()).isEqualTo("{\"interest_id\":1201}\n");
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("2026/12/07/a key with spaces+plus")).asUtf8String()).isEqualTo("odd");
            assertThat(s3.headObject(b -> b.bucket(bucket).key("2026/12/07/clicks-1")).contentLength()).isEqualTo(21);
            S3Exception missing = catchThrowableOfType(S3Exception.class, () -> s3.getObject(b -> b.bucket(bucket).key("missing")));
            assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
        }
    }

    @Test
    void aTemporaryKeyWithItsSessionTokenReadsAndWrites() {
        try (S3Client s3 = client(StaticCredentialsProvider.create(AwsSessionCredentials.create(TEMPORARY.accessKeyId(),
                TEMPORARY.secretAccessKey(), TEMPORARY.sessionToken())))) {
            s3.putObject(b -> b.bucket(bucket).key("written/through-front"), RequestBody.fromString("written through the front"));

            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("written/through-front")).asUtf8String()).isEqualTo("written through the front");
        }
        try (S3Client store = StackDestinations.s3()) {
            assertThat(store.getObjectAsBytes(b -> b.bucket(bucket).key("written/through-front")).asUtf8String())
                    .isEqualTo("written through the front");
        }
    }

    @Test
    void refusalsGetS3sStatusCodeAndMessageAndAreCounted() {
        long before = counts.refusedCounts().get(AuthCounts.S3).values().stream().mapToLong(Long::longValue).sum();

        S3Exception unknown = refusal(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUNKNOWN000000000", "x")));
        S3Exception wrongSecret = refusal(StaticCredentialsProvider.create(AwsBasicCredentials.create(FRONT_KEY.accessKeyId(), "wrong")));
        S3Exception expired = refusal(StaticCredentialsProvider.create(AwsSessionCredentials.create(EXPIRED.accessKeyId(),
                EXPIRED.secretAccessKey(), EXPIRED.sessionToken())));
        S3Exception wrongToken = refusal(StaticCredentialsProvider.create(AwsSessionCredentials.create(TEMPORARY.accessKeyId(),
                TEMPORARY.secretAccessKey(), "token-9")));
        S3Exception noToken = refusal(StaticCredentialsProvider.create(AwsBasicCredentials.create(TEMPORARY.accessKeyId(),
                TEMPORARY.secretAccessKey())));
        S3Exception anonymous = refusal(AnonymousCredentialsProvider.create());

        assertRefused(unknown, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        assertRefused(wrongSecret, 403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        assertRefused(expired, 400, "ExpiredToken", "The provided token has expired.");
        assertRefused(wrongToken, 400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
        assertRefused(noToken, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        assertRefused(anonymous, 403, "AccessDenied", "Access Denied");
        Map<String, Long> s3 = counts.refusedCounts().get(AuthCounts.S3);
        assertThat(s3.values().stream().mapToLong(Long::longValue).sum() - before).isEqualTo(6);
        assertThat(s3).containsKeys("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "AccessDenied");
    }

    @Test
    void aSkewedClockAndAMissingContentHashAreRefusedAsS3RefusesThem() throws Exception {
        S3Front late = new S3Front(vertx, new CredentialStore(List.of(FRONT_KEY)), "us-east-1", Duration.ofMinutes(5),
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(20)), "http://127.0.0.1:9000",
                DeliverySigner.forS3("local-access-key", "local-secret-key", "us-east-1"), new AuthCounts());
        try {
            URI lateUrl = URI.create("http://127.0.0.1:" + late.listen("127.0.0.1", 0) + "/");
            AwsCredentialsIdentity key = AwsCredentialsIdentity.create(FRONT_KEY.accessKeyId(), FRONT_KEY.secretAccessKey());

            HttpResponse<String> skewed = SigningClients.sendSigned("GET", lateUrl, null, Map.of(), key, "s3", true);
            // Signed without the header (the SDK's signer always adds it for s3): refused before the clock is looked at.
            HttpResponse<String> noHash = SigningClients.sendSignedWithoutContentHash("GET", lateUrl, null, "s3");

            assertThat(skewed.statusCode()).isEqualTo(403);
            assertThat(skewed.body()).contains("<Code>RequestTimeTooSkewed</Code>")
                    .contains("<Message>The difference between the request time and the current time is too large.</Message>");
            assertThat(noHash.statusCode()).isEqualTo(400);
            assertThat(noHash.headers().firstValue("Content-Type")).hasValue("application/xml");
            assertThat(noHash.body()).contains("<Error><Code>InvalidRequest</Code>")
                    .contains("<Message>Missing required header for this request: x-amz-content-sha256</Message>")
                    .containsPattern("<RequestId>[0-9A-F]{16}</RequestId></Error>");
        } finally {
            late.close();
        }
    }

    @Test
    void theAwsCliListsBucketsThroughTheFront() throws Exception {
        assumeTrue(SigningClients.commandRuns("aws", "--version"), "the AWS CLI is not on PATH");

        Result ls = SigningClients.run(List.of("aws", "s3", "ls", "--endpoint-url", url.toString()), FRONT_KEY.accessKeyId(),
                FRONT_KEY.secretAccessKey(), Map.of());
        Result wrong = SigningClients.run(List.of("aws", "s3", "ls", "--endpoint-url", url.toString()), FRONT_KEY.accessKeyId(),
                "wrong-secret", Map.of());

        assertThat(ls.exit()).as(ls.output()).isZero();
        assertThat(ls.output()).contains(bucket);
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.output()).contains("SignatureDoesNotMatch");
    }

    @Test
    void anAwsChunkedBodyIsDecodedToItsPayload() {
        byte[] body = ("5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\n"
                + "x-amz-checksum-crc32:AAAAAA==\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        assertThat(new String(S3Front.decodeChunks(body), StandardCharsets.US_ASCII)).isEqualTo("hello world");
    }

    private static S3Exception refusal(AwsCredentialsProvider credentials) {
        try (S3Client s3 = client(credentials)) {
            S3Exception e = catchThrowableOfType(S3Exception.class, () -> s3.listObjectsV2(b -> b.bucket(bucket)));
            assertThat(e).as("refused").isNotNull();
            return e;
        }
    }

    private static void assertRefused(S3Exception e, int status, String code, String message) {
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(message);
    }

    private static AwsCredentialsProvider basic(Credential key) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()));
    }

    private static S3Client client(AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(url).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }
}
