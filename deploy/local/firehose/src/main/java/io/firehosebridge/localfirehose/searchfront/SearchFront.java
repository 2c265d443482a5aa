package io.firehosebridge.localfirehose.searchfront;

import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.auth.IncomingRequest;
import io.firehosebridge.localfirehose.auth.Refusal;
import io.firehosebridge.localfirehose.auth.SigV4Verifier;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

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
 * The search front on one Vert.x HTTP server: a request signed (SigV4, for the mode's service) with a key of the
 * {@link CredentialStore} goes to the search engine with its method, path, query and body, without the AWS auth headers,
 * and the engine's status, headers and body come back as they are; any other request gets the refusal its
 * {@link SearchFrontMode} gives. There is no access policy: every known key is let in, as the role a domain's policy names.
 */
public final class SearchFront {

    private static final Logger LOG = Logger.getLogger(SearchFront.class);
    /** The signature's headers, which the engine has no use for, and hop-by-hop headers, which are the front's own. */
    private static final Set<String> NOT_FORWARDED = Set.of("authorization", "x-amz-date", "x-amz-security-token",
            "x-amz-content-sha256", "host", "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "expect", "content-length");
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length", "date");

    private final Vertx vertx;
    private final SearchFrontMode mode;
    private final SigV4Verifier verifier;
    private final URI engine;
    private final long maxRequestBytes;
    private final ObjectMapper mapper;
    private final HttpClient client;
    private final AuthCounts counts;
    private final Clock clock;
    private HttpServer server;

    /**
     * A front for {@code mode} checking signatures against {@code credentials} in {@code region} with Firehose's clock
     * skew, in front of the engine at {@code engineUrl}; every refusal is counted in {@code counts} under its code.
     */
    public SearchFront(Vertx vertx, SearchFrontMode mode, CredentialStore credentials, String region, Duration allowedSkew,
            Clock clock, String engineUrl, long maxRequestBytes, ObjectMapper mapper, AuthCounts counts) {
        this.counts = counts;
        this.vertx = vertx;
        this.mode = mode;
        this.verifier = new SigV4Verifier(credentials, region, mode.service(), allowedSkew, clock, SignatureRefused::new);
        this.clock = clock;
        this.engine = URI.create(engineUrl.endsWith("/") ? engineUrl.substring(0, engineUrl.length() - 1) : engineUrl);
        this.maxRequestBytes = maxRequestBytes;
        this.mapper = mapper;
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000).setKeepAlive(true)
                .setTcpNoDelay(true).setDecompressionSupported(false), new PoolOptions().setHttp1MaxSize(16));
    }

    /** Starts listening; returns the port (a free one for port 0). */
    public int listen(String host, int port) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false)
                .setHandle100ContinueAutomatically(true));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    /** Stops listening and closes the connections to the engine. */
    public void close() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            server = null;
        }
        client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        // AWS's time, as every AWS answer has it (a client corrects a skewed signing time from it).
        request.response().putHeader("Date", StackClock.httpDate(clock));
        if (parseLength(request.getHeader("Content-Length")) > maxRequestBytes) {
            tooLarge(request);
            return;
        }
        request.body().onSuccess(body -> {
            if (body.length() > maxRequestBytes) {
                tooLarge(request);
                return;
            }
            try {
                if (mode.requiresContentHash() && request.getHeader("x-amz-content-sha256") == null) {
                    throw new SignatureRefused(Refusal.INCOMPLETE_SIGNATURE, "x-amz-content-sha256 header is required");
                }
                verifier.verify(IncomingRequest.from(request, body));
            } catch (SignatureRefused e) {
                refuse(request, e);
                return;
            }
            forward(request, body);
        }).onFailure(e -> request.response().setStatusCode(400).end());
    }

    private void refuse(HttpServerRequest request, SignatureRefused e) {
        // The aoss answer never says why; the log does, for whoever runs the front.
        if (request.getHeader(AuthCounts.HEALTH_CHECK_HEADER) == null) {
            counts.refused(AuthCounts.SEARCH, e.refusal.code());
        }
        LOG.debugf("Search front: %s %s refused (%s): %s", request.method(), request.path(), e.refusal.code(), e.getMessage());
        SearchFrontMode.Answer answer = mode.refusal(e.refusal, e.getMessage(), request.method().name(), mapper);
        HttpServerResponse response = request.response().setStatusCode(answer.status());
        answer.headers().forEach(response::putHeader);
        response.end(Buffer.buffer(answer.body()));
    }

    private void forward(HttpServerRequest in, Buffer body) {
        boolean tls = "https".equals(engine.getScheme());
        int port = engine.getPort() > 0 ? engine.getPort() : tls ? 443 : 80;
        String prefix = engine.getRawPath() == null ? "" : engine.getRawPath();
        RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(engine.getHost()).setPort(port).setSsl(tls)
                .setURI(prefix + in.uri()).setIdleTimeout(120_000);
        in.headers().forEach(h -> {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        client.request(options)
                .compose(out -> out.send(body))
                .compose(answer -> answer.body().map(answerBody -> {
                    relay(in, answer, answerBody);
                    return null;
                }))
                .onFailure(e -> unreachable(in, e));
    }

    private static void relay(HttpServerRequest in, HttpClientResponse answer, Buffer body) {
        HttpServerResponse out = in.response();
        if (out.ended() || out.closed()) {
            return;
        }
        out.setStatusCode(answer.statusCode());
        answer.headers().forEach(h -> {
            if (!NOT_RETURNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (in.method() == HttpMethod.HEAD) {
            // No body to a HEAD, but the length the engine announced for a GET.
            String length = answer.getHeader("Content-Length");
            if (length != null) {
                out.putHeader("Content-Length", length);
            }
            out.end();
        } else {
            out.end(body);
        }
    }

    private void unreachable(HttpServerRequest in, Throwable e) {
        LOG.warnf("Search front: %s %s could not be passed to %s: %s", in.method(), in.path(), engine, e.toString());
        HttpServerResponse out = in.response();
        if (out.ended() || out.closed()) {
            return;
        }
        try {
            out.setStatusCode(502).putHeader("Content-Type", "application/problem+json").end(Buffer.buffer(mapper.writeValueAsBytes(
                    mapper.createObjectNode().put("type", "about:blank").put("title", "Search engine unreachable").put("status", 502)
                            .put("detail", "The search front could not reach " + engine + ": " + e.getMessage()))));
        } catch (Exception ex) {
            out.setStatusCode(502).end();
        }
    }

    // AWS's answer to a body over a domain's limit.
    private void tooLarge(HttpServerRequest request) {
        request.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end("{\"Message\":\"Request size exceeded " + maxRequestBytes + " bytes\"}");
    }

    private static long parseLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A refusal on its way to {@link #refuse}: an answer, not a bug, so without a stack trace. */
    private static final class SignatureRefused extends RuntimeException {

        private final Refusal refusal;

        SignatureRefused(Refusal refusal, String message) {
            super(message, null, false, false);
            this.refusal = refusal;
        }
    }
}
