package io.firehosebridge.search;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.protocol.HttpContext;
import org.apache.http.protocol.HttpCoreContext;

import io.firehosebridge.aws.AwsClock;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;

/**
 * Signs every request of the search client with AWS Signature Version 4, so that an Amazon OpenSearch Service domain
 * ({@code es}) or an OpenSearch Serverless collection ({@code aoss}) with an IAM access policy accepts it. Added last to
 * the client's interceptors, it sees the request as it will be sent: the signature covers the method, the path and query
 * exactly as on the wire, the Host header, the content type and the SHA-256 of the body, which also goes out as
 * {@code x-amz-content-sha256} (Serverless refuses a request without it). The SDK's own signer computes it, as for
 * {@code PutRecordBatch}.
 *
 * <p>It runs on the thread that sends the request (and on the client's I/O thread when a request is retried on another
 * node); the shared credentials provider refreshes in the background, so that thread rarely waits for new credentials.
 */
public final class SearchRequestSigner implements HttpRequestInterceptor {

    /** The request context's note of the offset the request was signed with, for {@link #clockFromRefusals()}. */
    private static final String SIGNED_WITH = "io.firehosebridge.search.signed-with";

    private final AwsCredentialsProvider credentials;
    private final String region;
    private final String service;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final AwsClock clock;

    /** A signer with its own clock, for tests. */
    public SearchRequestSigner(AwsCredentialsProvider credentials, String region, String service) {
        this(credentials, region, service, new AwsClock());
    }

    /**
     * @param credentials the service's one credentials provider
     * @param region the region of the domain or collection, e.g. {@code eu-west-1}
     * @param service the signing name: {@code es} or {@code aoss}
     * @param clock the time requests are signed with (the service's one, corrected when AWS refuses a signing time)
     */
    public SearchRequestSigner(AwsCredentialsProvider credentials, String region, String service, AwsClock clock) {
        this.clock = clock;
        this.credentials = credentials;
        this.region = region;
        this.service = service;
    }

    @Override
    public void process(HttpRequest request, HttpContext context) throws IOException {
        HttpHost target = HttpCoreContext.adapt(context).getTargetHost();
        URI uri = URI.create(request.getRequestLine().getUri());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(request.getRequestLine().getMethod()))
                .protocol(target.getSchemeName()).host(target.getHostName()).port(target.getPort() < 0 ? null : target.getPort())
                .encodedPath(path);
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    unsigned.appendRawQueryParameter(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
        }
        Header contentType = request.getFirstHeader("Content-Type");
        if (contentType != null) {
            unsigned.putHeader("Content-Type", contentType.getValue());
        }
        byte[] body = body(request);
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (RuntimeException e) {
            throw new IOException("could not resolve AWS credentials to sign the search request: " + e.getMessage(), e);
        }
        AwsClock.Signing signing = clock.signing();
        context.setAttribute(SIGNED_WITH, signing.offset());
        SdkHttpRequest signed;
        try {
            SignRequest.Builder<AwsCredentials> sign = SignRequest.builder(identity).request(unsigned.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                    .putProperty(HttpSigner.SIGNING_CLOCK, signing.clock());
            if (body != null) {
                sign.payload(() -> new ByteArrayInputStream(body));
            }
            signed = signer.sign(sign.build()).request();
        } catch (RuntimeException e) {
            throw new IOException("could not sign the search request " + request.getRequestLine().getMethod() + " " + path, e);
        }
        // Host too: the signer writes it without a default port, where the client had written host:443.
        signed.forEachHeader((name, values) -> {
            if (!"Content-Type".equalsIgnoreCase(name)) {
                request.setHeader(name, values.get(0));
            }
        });
    }

    /**
     * Learns AWS's time from a domain's refusal (403 without an error code, its {@code Date} header) when the signing time
     * was off by more than AWS allows, so that the next request is signed with AWS's time. The refused request itself fails
     * to its caller, which tries again as it does after any refusal (the search client cannot send it again from here).
     */
    public HttpResponseInterceptor clockFromRefusals() {
        return (response, context) -> {
            int status = response.getStatusLine().getStatusCode();
            if ((status == 403 || status == 401) && context.getAttribute(SIGNED_WITH) instanceof Duration signedWith) {
                Header date = response.getFirstHeader("Date");
                clock.learn("search request", status, null, date == null ? null : date.getValue(), signedWith);
            }
        };
    }

    /**
     * The body as the client sends it, read once; null when the request has none. The search client's bodies are byte
     * arrays (repeatable), which the client reads again to send.
     */
    private static byte[] body(HttpRequest request) throws IOException {
        if (!(request instanceof HttpEntityEnclosingRequest enclosing) || enclosing.getEntity() == null) {
            return null;
        }
        HttpEntity entity = enclosing.getEntity();
        if (!entity.isRepeatable()) {
            throw new IOException("cannot sign a search request whose body can be read only once");
        }
        long length = entity.getContentLength();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 && length < Integer.MAX_VALUE ? (int) length : 1024);
        entity.writeTo(out);
        return out.toByteArray();
    }

    /** A query name or value as the client had it before it form-encoded it ({@code %2C} is a comma, {@code +} a space). */
    private static String decode(String encoded) {
        return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
    }
}
