package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.auth.SigV4Verifier;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs the search destination's requests as Firehose signs them with its role: AWS Signature Version 4 for service
 * {@code es}, with one key, by the AWS SDK's own signer. {@link #forS3} signs for an S3 store instead, with S3's rules
 * (the path encoded once and not normalized), as the S3 front does when it passes a request on to the store.
 * {@link #toString()} never shows the secret.
 */
public final class DeliverySigner {

    private final AwsCredentialsIdentity identity;
    private final String region;
    private final String service;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final Clock clock;

    /** A signer for service {@code es} (a search domain), with this machine's clock. */
    public DeliverySigner(String accessKeyId, String secretAccessKey, String region) {
        this(accessKeyId, secretAccessKey, region, Clock.systemUTC());
    }

    /** A signer for service {@code es} signing with {@code clock}: Firehose's, the stack's AWS time, as the search front checks it. */
    public DeliverySigner(String accessKeyId, String secretAccessKey, String region, Clock clock) {
        this(accessKeyId, secretAccessKey, region, "es", clock);
    }

    private DeliverySigner(String accessKeyId, String secretAccessKey, String region, String service, Clock clock) {
        this.identity = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /**
     * A signer for service {@code s3}, with S3's canonical URI and this machine's clock (the store behind the S3 front keeps
     * the machine's time, not the stack's AWS time).
     */
    public static DeliverySigner forS3(String accessKeyId, String secretAccessKey, String region) {
        return new DeliverySigner(accessKeyId, secretAccessKey, region, "s3", Clock.systemUTC());
    }

    /**
     * Adds the signature's headers ({@code X-Amz-Date}, {@code Authorization}) to a request being built for this method,
     * URI, headers and body. The {@code Host} it signs is the one the JDK's client sends for the URI.
     */
    void sign(HttpRequest.Builder builder, String method, URI uri, Map<String, String> headers, byte[] body) {
        signatureHeaders(method, uri, headers, body).forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
    }

    /**
     * The headers the signature adds ({@code X-Amz-Date}, {@code Authorization}, and for S3 {@code x-amz-content-sha256})
     * to a request for this method, URI, headers and body; the {@code Host} it signs is the URI's host and port.
     */
    public Map<String, List<String>> signatureHeaders(String method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        boolean s3 = "s3".equals(service);
        if (s3) {
            request.putHeader("x-amz-content-sha256", SigV4Verifier.sha256Hex(body));
        }
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, !s3)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, !s3)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        Map<String, List<String>> added = new LinkedHashMap<>();
        signed.request().forEachHeader((name, values) -> {
            if (!"host".equals(name.toLowerCase(Locale.ROOT)) && !headers.containsKey(name)) {
                added.put(name, values);
            }
        });
        return added;
    }

    @Override
    public String toString() {
        return "DeliverySigner[accessKeyId=" + identity.accessKeyId() + ", secretAccessKey=***, service=" + service + ", region=" + region + "]";
    }
}
