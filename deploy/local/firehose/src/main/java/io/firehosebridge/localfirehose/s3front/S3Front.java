package io.firehosebridge.localfirehose.s3front;

import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.auth.IncomingRequest;
import io.firehosebridge.localfirehose.auth.Refusal;
import io.firehosebridge.localfirehose.auth.SigV4Verifier;
import io.firehosebridge.localfirehose.destination.DeliverySigner;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The S3 front on one Vert.x HTTP server: a request signed for service {@code s3} (SigV4 with S3's rules, the payload
 * hash in a signed {@code x-amz-content-sha256}, a session token in {@code X-Amz-Security-Token}) with a key of the
 * {@link CredentialStore} goes to the S3 store with its method, path, query, body and headers, re-signed with the store's
 * own key by the AWS SDK's signer; the store's status, headers and body stream back as they are. Any other request gets
 * S3's refusal ({@link S3Error}), counted. Path-style addressing only; no presigned URLs. A body sent as
 * {@code aws-chunked} ({@code STREAMING-...}) is decoded before it is passed on; its chunk signatures are not checked.
 */
public final class S3Front {

    private static final Logger LOG = Logger.getLogger(S3Front.class);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** The caller's signature and payload encoding, which the store gets anew, and hop-by-hop headers, the front's own. */
    private static final Set<String> NOT_FORWARDED = Set.of("authorization", "x-amz-date", "x-amz-security-token",
            "x-amz-content-sha256", "x-amz-decoded-content-length", "x-amz-trailer", "host", "connection", "keep-alive",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length", "content-encoding");
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "date");

    /** How far a signing time may be from S3's clock: 15 minutes, where the JSON services allow 5. */
    public static final Duration ALLOWED_SKEW = Duration.ofMinutes(15);

    private final Vertx vertx;
    private final SigV4Verifier verifier;
    private final URI store;
    private final DeliverySigner storeSigner;
    private final AuthCounts counts;
    private final Clock clock;
    private final HttpClient client;
    private final SecureRandom random = new SecureRandom();
    private HttpServer server;

    /**
     * A front checking signatures against {@code credentials} in {@code region}, in front of the store at {@code storeUrl}
     * that {@code storeSigner} signs for; every refusal is counted in {@code counts} under its S3 code.
     */
    public S3Front(Vertx vertx, CredentialStore credentials, String region, Duration allowedSkew, Clock clock, String storeUrl,
            DeliverySigner storeSigner, AuthCounts counts) {
        this.vertx = vertx;
        this.verifier = SigV4Verifier.forS3(credentials, region, allowedSkew, clock, S3Error.Refused::new);
        this.clock = clock;
        this.store = URI.create(storeUrl.endsWith("/") ? storeUrl.substring(0, storeUrl.length() - 1) : storeUrl);
        this.storeSigner = storeSigner;
        this.counts = counts;
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true)
                .setTcpNoDelay(true).setDecompressionSupported(false), new PoolOptions().setHttp1MaxSize(16));
    }

    /** Starts listening; returns the port (a free one for port 0). */
    public int listen(String host, int port) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false).setCompressionSupported(false).setHandle100ContinueAutomatically(true));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** Stops listening and closes the connections to the store. */
    public void close() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            server = null;
        }
        client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        byte[] id = new byte[8];
        random.nextBytes(id);
        String requestId = HexFormat.of().withUpperCase().formatHex(id);
        request.response().putHeader("x-amz-request-id", requestId);
        // AWS's time, as every AWS answer has it (a client corrects a skewed signing time from it).
        request.response().putHeader("Date", StackClock.httpDate(clock));
        request.body().onSuccess(body -> {
            byte[] payload;
            try {
                payload = check(IncomingRequest.from(request, body));
            } catch (S3Error.Refused e) {
                refuse(request, e.error, requestId);
                return;
            }
            forward(request, payload, requestId);
        }).onFailure(e -> request.response().setStatusCode(400).end());
    }

    /** The body to pass on, once the request is found signed as S3 wants it; throws S3's refusal otherwise. */
    private byte[] check(IncomingRequest in) {
        if (in.first("Authorization") == null) {
            throw new S3Error.Refused(S3Error.of(Refusal.MISSING_AUTHENTICATION_TOKEN, ""));
        }
        String contentHash = in.first(SigV4Verifier.CONTENT_SHA256);
        if (contentHash == null) {
            throw new S3Error.Refused(S3Error.missingContentHash());
        }
        boolean streaming = contentHash.startsWith("STREAMING-");
        if (!streaming && !"UNSIGNED-PAYLOAD".equals(contentHash) && !SHA256_HEX.matcher(contentHash).matches()) {
            throw new S3Error.Refused(S3Error.badContentHash());
        }
        verifier.verify(in);
        if (SHA256_HEX.matcher(contentHash).matches() && !contentHash.equals(SigV4Verifier.sha256Hex(in.body()))) {
            throw new S3Error.Refused(S3Error.contentHashMismatch());
        }
        return streaming ? decodeChunks(in.body()) : in.body();
    }

    private void refuse(HttpServerRequest request, S3Error error, String requestId) {
        if (request.getHeader(AuthCounts.HEALTH_CHECK_HEADER) == null) {
            counts.refused(AuthCounts.S3, error.code());
        }
        LOG.debugf("S3 front: %s %s refused (%s): %s", request.method(), request.path(), error.code(), error.message());
        HttpServerResponse response = request.response().setStatusCode(error.status());
        if (request.method() == HttpMethod.HEAD) {
            response.end();
        } else {
            response.putHeader("Content-Type", "application/xml").end(error.xml(requestId));
        }
    }

    private void forward(HttpServerRequest in, byte[] payload, String requestId) {
        boolean tls = "https".equals(store.getScheme());
        int port = store.getPort() > 0 ? store.getPort() : tls ? 443 : 80;
        String prefix = store.getRawPath() == null ? "" : store.getRawPath();
        String uri = prefix + in.uri();
        RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(store.getHost()).setPort(port).setSsl(tls)
                .setURI(uri).setIdleTimeout(120_000);
        in.headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name)) {
                options.addHeader(h.getKey(), h.getValue());
            } else if ("content-encoding".equals(name)) {
                // aws-chunked was how the caller framed the body, not what the object is: other encodings stay.
                String rest = h.getValue().replaceAll("(?i)\\s*aws-chunked\\s*,?", "").strip();
                if (!rest.isEmpty()) {
                    options.addHeader(h.getKey(), rest);
                }
            }
        });
        Map<String, List<String>> signature;
        try {
            signature = storeSigner.signatureHeaders(in.method().name(), URI.create(store + in.uri()), Map.of(), payload);
        } catch (RuntimeException e) {
            unreachable(in, e, requestId);
            return;
        }
        signature.forEach((name, values) -> values.forEach(value -> options.addHeader(name, value)));
        client.request(options)
                .compose(out -> out.send(Buffer.buffer(payload)))
                .onSuccess(answer -> relay(in, answer))
                .onFailure(e -> unreachable(in, e, requestId));
    }

    private static void relay(HttpServerRequest in, HttpClientResponse answer) {
        HttpServerResponse out = in.response();
        if (out.ended() || out.closed()) {
            return;
        }
        out.setStatusCode(answer.statusCode());
        out.headers().remove("x-amz-request-id");
        answer.headers().forEach(h -> {
            if (!NOT_RETURNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (in.method() == HttpMethod.HEAD) {
            out.end();
            return;
        }
        if (answer.getHeader("Content-Length") == null) {
            out.setChunked(true);
        }
        answer.pipeTo(out);
    }

    private void unreachable(HttpServerRequest in, Throwable e, String requestId) {
        LOG.warnf("S3 front: %s %s could not be passed to %s: %s", in.method(), in.path(), store, e.toString());
        HttpServerResponse out = in.response();
        if (!out.ended() && !out.closed()) {
            out.setStatusCode(500).putHeader("Content-Type", "application/xml")
                    .end(new S3Error(500, "InternalError", "We encountered an internal error. Please try again.").xml(requestId));
        }
    }

    /**
     * The payload of an {@code aws-chunked} body: chunks of {@code hex-size[;chunk-signature=...]\r\n data \r\n}, up to the
     * chunk of size 0; trailers after it are dropped.
     */
    static byte[] decodeChunks(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int lineEnd = indexOfCrlf(body, at);
            if (lineEnd < 0) {
                throw new S3Error.Refused(new S3Error(400, "IncompleteBody", "The request body terminated unexpectedly"));
            }
            String header = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII);
            int semicolon = header.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? header : header.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new S3Error.Refused(new S3Error(400, "IncompleteBody", "The request body terminated unexpectedly"));
            }
            at = lineEnd + 2;
            if (size == 0) {
                break;
            }
            if (size < 0 || at + size > body.length) {
                throw new S3Error.Refused(new S3Error(400, "IncompleteBody", "The request body terminated unexpectedly"));
            }
            out.write(body, at, size);
            at += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] body, int from) {
        for (int i = from; i + 1 < body.length; i++) {
            if (body[i] == '\r' && body[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
