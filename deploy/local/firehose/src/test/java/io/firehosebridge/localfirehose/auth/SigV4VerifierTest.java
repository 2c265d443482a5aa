package io.firehosebridge.localfirehose.auth;

import io.firehosebridge.localfirehose.api.FirehoseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Requests signed by the AWS SDK v2's own SigV4 signer, checked by the endpoint's verifier: what passes and each refusal. */
class SigV4VerifierTest {

    private static final Instant NOW = Instant.parse("2026-03-14T10:20:30Z");
    private static final String REGION = "us-east-1";
    private static final byte[] BODY = "{\"DeliveryStreamName\":\"clicks\",\"Records\":[{\"Data\":\"e30=\"}]}".getBytes(StandardCharsets.UTF_8);
    private static final Credential STACK_KEY = Credential.longTerm("local-access-key", "local-secret-key");
    private static final Credential TEMPORARY = new Credential("ASIALOCALTEMPORARY01", "temporary-secret", "session-token-1",
            NOW.plusSeconds(60));

    private final CredentialStore store = new CredentialStore(List.of(STACK_KEY, TEMPORARY));
    private final SigV4Verifier verifier = new SigV4Verifier(store, REGION, Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void acceptsACallTheSdkSignedWithAKnownKey() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> {
        });

        assertThat(request.first("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=local-access-key/20260314/us-east-1/firehose/");
        assertThat(verifier.verify(request)).isEqualTo(STACK_KEY);
    }

    @Test
    void acceptsTemporaryCredentialsWithTheirSessionToken() {
        IncomingRequest request = signed(identity(TEMPORARY), NOW, r -> {
        });

        assertThat(request.first("X-Amz-Security-Token")).isEqualTo("session-token-1");
        assertThat(verifier.verify(request)).isEqualTo(TEMPORARY);
    }

    @Test
    void refusesACallWithoutAuthorizationAsMissingAuthenticationToken() {
        IncomingRequest unsigned = new IncomingRequest("POST", "/", "", Map.of("Host", List.of("127.0.0.1:4573"),
                "X-Amz-Target", List.of("Firehose_20150804.ListDeliveryStreams")), BODY);

        assertRefused(unsigned, "MissingAuthenticationTokenException", 403, "Missing Authentication Token");
    }

    @Test
    void refusesAWrongSecretAsInvalidSignatureAndShowsTheCanonicalRequest() {
        IncomingRequest request = signed(AwsCredentialsIdentity.create("local-access-key", "not-the-secret"), NOW, r -> {
        });

        FirehoseException e = refusal(request);
        assertThat(e.type()).isEqualTo("InvalidSignatureException");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
                .contains("The Canonical String for this request should have been\n'POST\n/\n\n")
                .contains("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260314T102030Z\n20260314/us-east-1/firehose/aws4_request\n")
                .doesNotContain("local-secret-key");
    }

    @Test
    void refusesABodyChangedAfterSigning() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> {
        });
        IncomingRequest tampered = new IncomingRequest(request.method(), request.rawPath(), request.rawQuery(), request.headers(),
                "{\"DeliveryStreamName\":\"other\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(refusal(tampered).type()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void refusesAnUnknownAccessKeyAsUnrecognizedClient() {
        IncomingRequest request = signed(AwsCredentialsIdentity.create("AKIAUNKNOWNKEY000000", "local-secret-key"), NOW, r -> {
        });

        assertRefused(request, "UnrecognizedClientException", 400, "The security token included in the request is invalid.");
    }

    @Test
    void refusesTemporaryCredentialsWithoutTheirTokenOrWithAnotherOne() {
        IncomingRequest withoutToken = signed(AwsCredentialsIdentity.create(TEMPORARY.accessKeyId(), TEMPORARY.secretAccessKey()), NOW, r -> {
        });
        IncomingRequest otherToken = signed(AwsSessionCredentialsIdentity.create(TEMPORARY.accessKeyId(), TEMPORARY.secretAccessKey(),
                "session-token-2"), NOW, r -> {
        });

        assertRefused(withoutToken, "UnrecognizedClientException", 400, "The security token included in the request is invalid.");
        assertRefused(otherToken, "UnrecognizedClientException", 400, "The security token included in the request is invalid.");
    }

    @Test
    void refusesASessionTokenWithALongTermKey() {
        IncomingRequest request = signed(AwsSessionCredentialsIdentity.create(STACK_KEY.accessKeyId(), STACK_KEY.secretAccessKey(), "any"),
                NOW, r -> {
                });

        assertRefused(request, "UnrecognizedClientException", 400, "The security token included in the request is invalid.");
    }

    @Test
    void refusesTemporaryCredentialsFromTheirExpirationOn() {
        Credential expiresNow = new Credential("ASIALOCALEXPIRESNOW1", "secret-2", "token-2", NOW);
        Credential expiresInASecond = new Credential("ASIALOCALEXPIRESSOON", "secret-3", "token-3", NOW.plusSeconds(1));
        store.register(expiresNow);
        store.register(expiresInASecond);

        assertRefused(signed(identity(expiresNow), NOW, r -> {
        }), "ExpiredTokenException", 400, "The security token included in the request is expired");
        assertThat(verifier.verify(signed(identity(expiresInASecond), NOW, r -> {
        }))).isEqualTo(expiresInASecond);
    }

    @Test
    void acceptsASigningTimeUpToFiveMinutesEitherSideOfTheClock() {
        assertThat(verifier.verify(signed(identity(STACK_KEY), NOW.minus(Duration.ofMinutes(5)), r -> {
        }))).isEqualTo(STACK_KEY);
        assertThat(verifier.verify(signed(identity(STACK_KEY), NOW.plus(Duration.ofMinutes(5)), r -> {
        }))).isEqualTo(STACK_KEY);
    }

    @Test
    void refusesASigningTimeMoreThanFiveMinutesBehindAsSignatureExpired() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW.minus(Duration.ofMinutes(5)).minusSeconds(1), r -> {
        });

        assertRefused(request, "InvalidSignatureException", 400,
                "Signature expired: 20260314T101529Z is now earlier than 20260314T101530Z (20260314T102030Z - 5 min.)");
    }

    @Test
    void refusesASigningTimeMoreThanFiveMinutesAheadAsNotYetCurrent() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW.plus(Duration.ofMinutes(5)).plusSeconds(1), r -> {
        });

        assertRefused(request, "InvalidSignatureException", 400,
                "Signature not yet current: 20260314T102531Z is still later than 20260314T102530Z (20260314T102030Z + 5 min.)");
    }

    @Test
    void refusesAScopeForAnotherRegionOrService() {
        IncomingRequest otherRegion = signed(identity(STACK_KEY), NOW, r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1"));
        IncomingRequest otherService = signed(identity(STACK_KEY), NOW, r -> r.putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "kinesis"));

        assertRefused(otherRegion, "InvalidSignatureException", 400, "Credential should be scoped to a valid region, not 'eu-west-1'. ");
        assertRefused(otherService, "InvalidSignatureException", 400, "Credential should be scoped to correct service: 'firehose'. ");
    }

    @Test
    void refusesAnUnsignedPayloadMarker() {
        // The SDK signs "UNSIGNED-PAYLOAD" only over HTTPS when payload signing is off; Firehose hashes every body.
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> r.putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .request(request("https://firehose.us-east-1.amazonaws.com/").build()));

        assertThat(request.first("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(refusal(request).type()).isEqualTo("InvalidSignatureException");
    }

    @Test
    void acceptsAContentHashHeaderThatIsTheBodysHash() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> r.request(request("http://127.0.0.1:4573/")
                .putHeader("x-amz-content-sha256", sha256Hex(BODY)).build()));

        assertThat(request.first("x-amz-content-sha256")).isEqualTo(sha256Hex(BODY));
        assertThat(request.first("Authorization")).contains("x-amz-content-sha256");
        assertThat(verifier.verify(request)).isEqualTo(STACK_KEY);
    }

    @Test
    void readsHeadersInAnyOrderAndCaseWithSpacesTrimmed() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> r.request(request("http://127.0.0.1:4573/")
                .putHeader("X-Custom", List.of("b  value", "a")).build()));
        Map<String, List<String>> reordered = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(request.headers().keySet());
        Collections.reverse(names);
        for (String name : names) {
            List<String> values = request.headers().get(name);
            reordered.put(name.toUpperCase(), name.equals("x-custom") ? List.of("  b value ", "a") : values);
        }

        assertThat(request.first("Authorization")).contains("SignedHeaders=").contains("x-custom");
        assertThat(verifier.verify(new IncomingRequest("POST", request.rawPath(), request.rawQuery(), reordered, BODY))).isEqualTo(STACK_KEY);

        Map<String, List<String>> swapped = new LinkedHashMap<>(request.headers());
        swapped.put("x-custom", List.of("a", "b value"));
        assertThat(refusal(new IncomingRequest("POST", request.rawPath(), request.rawQuery(), swapped, BODY)).type())
                .isEqualTo("InvalidSignatureException");
    }

    @Test
    void sortsAndEncodesTheQueryAndEncodesThePathTwice() {
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> r.request(request("http://127.0.0.1:4573/a%20b/c~d")
                .putRawQueryParameter("b", "2").putRawQueryParameter("a", List.of("x y", "1")).putRawQueryParameter("c*", "é/").build()));

        assertThat(request.rawPath()).isEqualTo("/a%20b/c~d");
        assertThat(verifier.verify(request)).isEqualTo(STACK_KEY);
        assertThat(SigV4Verifier.canonicalUri("/a%20b/./x/../c~d")).isEqualTo("/a%2520b/c~d");
        assertThat(SigV4Verifier.canonicalQuery("b=2&a=x%20y&a=1&c%2A=%C3%A9%2F&flag"))
                .isEqualTo("a=1&a=x%20y&b=2&c%2A=%C3%A9%2F&flag=");
        // The same parameters in another order, and with an unreserved character escaped, sign the same.
        String reordered = "c%2a=%c3%a9/&a=1&b=2&a=x%20y";
        assertThat(verifier.verify(new IncomingRequest("POST", request.rawPath(), reordered, request.headers(), BODY))).isEqualTo(STACK_KEY);
    }

    @Test
    void forS3EncodesThePathOnceWithoutNormalizingAndTakesThePayloadHashFromItsHeader() {
        SigV4Verifier s3 = SigV4Verifier.forS3(store, REGION, Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC),
                SigV4Verifier::firehoseError);
        IncomingRequest request = signed(identity(STACK_KEY), NOW, r -> r
                .request(request("http://127.0.0.1:9001/bucket/a%20b/./x/../c~d").putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD").build())
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false));

        assertThat(s3.verify(request)).isEqualTo(STACK_KEY);
        assertThat(SigV4Verifier.s3CanonicalUri("/bucket/a%20b/./x/../c~d")).isEqualTo("/bucket/a%20b/./x/../c~d");
        assertThat(SigV4Verifier.s3CanonicalUri("/bucket/a+b%2a/")).isEqualTo("/bucket/a%2Bb%2A/");
        // Without the content hash among the signed headers S3 takes no signature.
        Map<String, List<String>> unsignedHash = new LinkedHashMap<>(request.headers());
        unsignedHash.put("authorization", List.of(request.first("Authorization").replace(";x-amz-content-sha256", "")));
        assertThat(catchThrowableOfType(FirehoseException.class, () -> s3.verify(new IncomingRequest("GET", request.rawPath(), "",
                unsignedHash, BODY))).getMessage()).isEqualTo("'x-amz-content-sha256' must be a 'SignedHeader' in the AWS Authorization.");
    }

    @Test
    void theStoreForgetsTemporaryKeysExpiredBeforeAnInstantOnly() {
        Credential old = new Credential("ASIALOCALOLD00000001", "old-secret", "token-old", NOW.minusSeconds(7200));
        CredentialStore keys = new CredentialStore(List.of(STACK_KEY, TEMPORARY, old));

        assertThat(keys.forgetExpiredBefore(NOW.minusSeconds(3600))).isEqualTo(1);
        assertThat(keys.list()).containsExactlyInAnyOrder(STACK_KEY, TEMPORARY);
    }

    @Test
    void refusesAnAuthorizationHeaderThatIsNotSigV4AsIncomplete() {
        IncomingRequest request = new IncomingRequest("POST", "/", "", Map.of("Host", List.of("127.0.0.1:4573"),
                "Authorization", List.of("Bearer abc"), "X-Amz-Date", List.of("20260314T102030Z")), BODY);

        assertRefused(request, "IncompleteSignatureException", 400, "Authorization header requires 'Credential' parameter. "
                + "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
                + "Authorization=Bearer abc");
    }

    @Test
    void refusesACallWithoutXAmzDateAsIncomplete() {
        IncomingRequest signed = signed(identity(STACK_KEY), NOW, r -> {
        });
        Map<String, List<String>> headers = new LinkedHashMap<>(signed.headers());
        headers.remove("x-amz-date");

        FirehoseException e = refusal(new IncomingRequest("POST", "/", "", headers, BODY));
        assertThat(e.type()).isEqualTo("IncompleteSignatureException");
        assertThat(e.getMessage()).startsWith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }

    @Test
    void refusesASignatureThatDoesNotCoverHost() {
        IncomingRequest signed = signed(identity(STACK_KEY), NOW, r -> {
        });
        Map<String, List<String>> headers = new LinkedHashMap<>(signed.headers());
        headers.put("authorization", List.of(signed.first("Authorization").replaceAll("SignedHeaders=[^,]*", "SignedHeaders=x-amz-date")));

        assertRefused(new IncomingRequest("POST", "/", "", headers, BODY), "InvalidSignatureException", 400,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    private void assertRefused(IncomingRequest request, String type, int status, String message) {
        FirehoseException e = refusal(request);
        assertThat(e.type()).isEqualTo(type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.getMessage()).isEqualTo(message);
    }

    private FirehoseException refusal(IncomingRequest request) {
        FirehoseException e = catchThrowableOfType(FirehoseException.class, () -> verifier.verify(request));
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private static AwsCredentialsIdentity identity(Credential c) {
        return c.temporary() ? AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())
                : AwsCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey());
    }

    private static SdkHttpRequest.Builder request(String uri) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create(uri))
                .putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("X-Amz-Target", "Firehose_20150804.PutRecordBatch");
    }

    /** The request as the SDK's signer leaves it, signed at {@code signedAt} for firehose in us-east-1 unless {@code custom} says else. */
    private static IncomingRequest signed(AwsCredentialsIdentity identity, Instant signedAt,
            Consumer<SignRequest.Builder<AwsCredentialsIdentity>> custom) {
        var signed = AwsV4HttpSigner.create().sign((SignRequest.Builder<AwsCredentialsIdentity> r) -> {
            r.identity(identity)
                    .request(request("http://127.0.0.1:4573/").build())
                    .payload(ContentStreamProvider.fromByteArray(BODY))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "firehose")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, REGION)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC));
            custom.accept(r);
        });
        SdkHttpRequest http = signed.request();
        return new IncomingRequest(http.method().name(), http.encodedPath(), http.encodedQueryParameters().orElse(""), http.headers(), BODY);
    }

    private static String sha256Hex(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
