package io.firehosebridge.localfirehose.destination;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Map;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs the search destination's requests as Firehose signs them with its role: AWS Signature Version 4 for service
 * {@code es}, with one key, by the AWS SDK's own signer. {@link #toString()} never shows the secret.
 */
public final class DeliverySigner {

    private static final String SERVICE = "es";

    private final AwsCredentialsIdentity identity;
    private final String region;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public DeliverySigner(String accessKeyId, String secretAccessKey, String region) {
        this.identity = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
        this.region = region;
    }

    /**
     * Adds the signature's headers ({@code X-Amz-Date}, {@code Authorization}) to a request being built for this method,
     * URI, headers and body. The {@code Host} it signs is the one the JDK's client sends for the URI.
     */
    void sign(HttpRequest.Builder builder, String method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        signed.request().forEachHeader((name, values) -> {
            if (!"host".equals(name.toLowerCase(Locale.ROOT)) && !headers.containsKey(name)) {
                values.forEach(value -> builder.header(name, value));
            }
        });
    }

    @Override
    public String toString() {
        return "DeliverySigner[accessKeyId=" + identity.accessKeyId() + ", secretAccessKey=***, service=" + SERVICE + ", region=" + region + "]";
    }
}
