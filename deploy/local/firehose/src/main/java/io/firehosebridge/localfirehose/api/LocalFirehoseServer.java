package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.LocalFirehose;
import io.firehosebridge.localfirehose.LocalFirehoseConfig;
import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.auth.IncomingRequest;
import io.firehosebridge.localfirehose.auth.SigV4Verifier;
import io.firehosebridge.localfirehose.sts.StsServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP side of the local Firehose: AWS JSON 1.1 on {@code POST /}, every call SigV4-checked unless
 * {@code local-firehose.auth.verify-signatures} is false, and a small admin API, never signed, under
 * {@code /_local/streams/{name}/faults} (GET, PUT), {@code /_local/streams/{name}/flush} (POST) and
 * {@code /_local/credentials} (keys the endpoint accepts), {@code /_local/sts} (the local STS's settings, GET and PUT) and
 * {@code /_local/auth} (credentials issued and calls refused, GET), {@code /_local/clock} (this stack's AWS time, GET and PUT).
 * Started with the application; on shutdown it stops taking calls, then delivers what it holds.
 */
@ApplicationScoped
public class LocalFirehoseServer {

    private static final Logger LOG = Logger.getLogger(LocalFirehoseServer.class);
    private static final String AMZ_JSON = "application/x-amz-json-1.1";
    private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    private final LocalFirehoseConfig config;
    private final LocalFirehose firehose;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final FirehoseApi api;
    private final FaultsAdmin admin;
    private final CredentialsAdmin credentialsAdmin;
    private final SigV4Verifier verifier;
    private final AuthAdmin authAdmin;
    private final ClockAdmin clockAdmin;
    private final AuthCounts counts;
    private final StsServer sts;
    private final StackClock awsClock;
    private final List<HttpServer> servers = new ArrayList<>();
    private volatile int port = -1;

    @Inject
    public LocalFirehoseServer(LocalFirehoseConfig config, LocalFirehose firehose, CredentialStore credentials, AuthCounts counts,
            StsServer sts, StackClock awsClock, Vertx vertx, ObjectMapper mapper) {
        this.awsClock = awsClock;
        this.config = config;
        this.firehose = firehose;
        this.vertx = vertx;
        this.mapper = mapper;
        this.api = new FirehoseApi(firehose, mapper);
        this.admin = new FaultsAdmin(firehose, mapper);
        this.credentialsAdmin = new CredentialsAdmin(credentials, mapper);
        this.authAdmin = new AuthAdmin(counts, mapper);
        this.clockAdmin = new ClockAdmin(awsClock, mapper);
        this.counts = counts;
        this.sts = sts;
        this.verifier = config.auth().verifySignatures()
                ? new SigV4Verifier(credentials, config.region(), config.auth().allowedSkew(), awsClock)
                : null;
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        firehose.start();
        // One server per event loop used; Vert.x spreads connections on the shared port among them.
        int instances = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        // Port 0: pick a free port first. (Vert.x's negative "shared random port" would merge these servers
        // with any other server in this Vertx using the same negative value, e.g. Quarkus's own test server.)
        int bindPort = config.port() == 0 ? freePort(config.host()) : config.port();
        for (int i = 0; i < instances; i++) {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                    .setHost(config.host())
                    .setPort(bindPort)
                    .setTcpNoDelay(true)
                    .setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false));
            server.requestHandler(this::handle);
            server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            servers.add(server);
            port = server.actualPort();
        }
        LOG.infof("Local Firehose endpoint listening on http://%s:%d (%s)", config.host(), port, verifier == null
                ? "signatures not checked: local-firehose.auth.verify-signatures=false"
                : "SigV4 checked for service firehose, region " + config.region() + ", key " + config.auth().accessKeyId());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (servers.isEmpty()) {
            return;
        }
        for (HttpServer server : servers) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("Local Firehose endpoint did not close cleanly: %s", e.toString());
            }
        }
        servers.clear();
        firehose.stop();
        LOG.info("Local Firehose endpoint stopped; buffered records were delivered");
    }

    /** The port the endpoint listens on, or -1 when it is not running. */
    public int port() {
        return port;
    }

    private void handle(HttpServerRequest request) {
        String requestId = UUID.randomUUID().toString();
        request.response().putHeader("x-amzn-RequestId", requestId);
        // AWS's time, as every AWS answer has it (a client corrects a skewed signing time from it).
        request.response().putHeader("Date", StackClock.httpDate(awsClock));
        long declared = parseLength(request.getHeader("Content-Length"));
        if (declared > MAX_BODY_BYTES) {
            writeError(request, new FirehoseException("SerializationException", 413, "Request body too large"));
            return;
        }
        request.body().onSuccess(body -> {
            if (request.path().equals(CredentialsAdmin.PATH) || request.path().startsWith(CredentialsAdmin.PATH + "/")) {
                credentialsAdmin.handle(request, body);
            } else if (request.path().equals(AuthAdmin.PATH)) {
                try {
                    authAdmin.handle(request);
                } catch (java.io.IOException e) {
                    request.response().setStatusCode(500).end();
                }
            } else if (request.path().equals(ClockAdmin.PATH)) {
                try {
                    clockAdmin.handle(request, body);
                } catch (java.io.IOException e) {
                    request.response().setStatusCode(500).end();
                }
            } else if (request.path().equals(StsServer.ADMIN_PATH)) {
                sts.admin(request, body);
            } else if (request.path().startsWith("/_local/")) {
                admin.handle(request, body);
            } else if (request.method() == HttpMethod.POST && "/".equals(request.path())) {
                onApiCall(request, body);
            } else {
                writeError(request, new FirehoseException("UnknownOperationException", 404, "Unknown path " + request.path()));
            }
        }).onFailure(e -> request.response().setStatusCode(400).end());
    }

    private void onApiCall(HttpServerRequest request, Buffer body) {
        FirehoseApi.Reply reply;
        try {
            if (verifier != null) {
                try {
                    verifier.verify(IncomingRequest.from(request, body));
                } catch (FirehoseException e) {
                    counts.refused(AuthCounts.FIREHOSE, e.type());
                    throw e;
                }
            }
            reply = api.handle(request.getHeader("X-Amz-Target"), body.getBytes());
        } catch (FirehoseException e) {
            writeError(request, e);
            return;
        } catch (RuntimeException e) {
            LOG.errorf(e, "Local Firehose: %s failed", request.getHeader("X-Amz-Target"));
            writeError(request, new FirehoseException("InternalFailure", 500, "Internal service failure."));
            return;
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(reply.body());
        } catch (Exception e) {
            writeError(request, new FirehoseException("InternalFailure", 500, "Internal service failure."));
            return;
        }
        Duration delay = reply.delay();
        if (delay.isZero()) {
            write(request, 200, bytes);
        } else {
            vertx.setTimer(delay.toMillis(), id -> write(request, 200, bytes));
        }
    }

    /** The error as AWS's JSON protocol answers it: the code in {@code __type} and in the {@code x-amzn-ErrorType} header. */
    private void writeError(HttpServerRequest request, FirehoseException e) {
        request.response().putHeader("x-amzn-ErrorType", e.type());
        ObjectNode body = mapper.createObjectNode().put("__type", e.type()).put("message", e.getMessage());
        try {
            write(request, e.status(), mapper.writeValueAsBytes(body));
        } catch (Exception ex) {
            request.response().setStatusCode(500).end();
        }
    }

    private static void write(HttpServerRequest request, int status, byte[] body) {
        request.response().setStatusCode(status).putHeader("Content-Type", AMZ_JSON).end(Buffer.buffer(body));
    }

    private static int freePort(String host) throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return socket.getLocalPort();
        }
    }

    private static long parseLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static JsonNode problem(ObjectMapper mapper, int status, String title, String detail) {
        return mapper.createObjectNode().put("type", "about:blank").put("title", title).put("status", status).put("detail", detail);
    }
}
