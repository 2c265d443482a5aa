package io.firehosebridge.localfirehose.sts;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;
import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.api.Xml;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.Credential;
import io.firehosebridge.localfirehose.auth.CredentialStore;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

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
 * The local STS on its own port when {@code local-firehose.sts.enabled}: AWS STS's Query protocol ({@code POST /} with a
 * form, or {@code GET /?Action=...}), answered in its XML. Its settings are read and changed through the Firehose port's
 * admin API, {@code GET} and {@code PUT /_local/sts} with {@code {"credentialLifetime":"PT60S"}}, which works whether the
 * STS listens or not.
 */
@ApplicationScoped
public class StsServer {

    /** The admin path on the Firehose port. */
    public static final String ADMIN_PATH = "/_local/sts";
    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static final Logger LOG = Logger.getLogger(StsServer.class);
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final LocalFirehoseConfig config;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final LocalSts sts;
    private final AuthCounts counts;
    private HttpServer server;
    private volatile int port = -1;

    @Inject
    public StsServer(LocalFirehoseConfig config, CredentialStore credentials, AuthCounts counts, StackClock clock, Vertx vertx, ObjectMapper mapper) {
        this.config = config;
        this.vertx = vertx;
        this.mapper = mapper;
        this.counts = counts;
        LocalFirehoseConfig.Sts settings = config.sts();
        String role = settings.roleArn().filter(r -> !r.isBlank())
                .orElse("arn:aws:iam::" + config.accountId() + ":role/kafka-firehose-bridge");
        this.sts = new LocalSts(config.accountId(), role, settings.webIdentityToken().orElse(null), settings.credentialLifetime(),
                credentials, counts, clock, mapper);
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        LocalFirehoseConfig.Sts settings = config.sts();
        if (!settings.enabled()) {
            return;
        }
        server = vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
                .setTcpNoDelay(true).setHttp2ClearTextEnabled(false).setCompressionSupported(false));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
        if (settings.webIdentityToken().filter(t -> !t.isBlank()).isEmpty()) {
            LOG.warn("Local STS: no local-firehose.sts.web-identity-token is set, so every AssumeRoleWithWebIdentity is refused");
        }
        LOG.infof("Local STS listening on %s: AssumeRoleWithWebIdentity for role %s, credentials lasting %s", url(), sts.roleArn(),
                sts.lifetime());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (server == null) {
            return;
        }
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("Local STS did not close cleanly: %s", e.toString());
        }
        server = null;
        port = -1;
    }

    /** The port the STS listens on, or -1 when it does not run. */
    public int port() {
        return port;
    }

    /** The STS's base URL, e.g. {@code http://127.0.0.1:4574}; null when it does not run. */
    public String url() {
        return port < 0 ? null : "http://" + config.sts().host() + ":" + port;
    }

    /** The STS itself (what it issues and refuses), for the admin API and tests. */
    public LocalSts sts() {
        return sts;
    }

    /**
     * {@code GET /_local/sts}: the settings ({@code enabled}, {@code url}, {@code roleArn}, {@code credentialLifetime} as
     * ISO-8601) and the STS's counts; {@code PUT} with {@code {"credentialLifetime":"PT60S"}}: 204, for credentials issued
     * from then on. Errors are RFC 7807 problem+json.
     */
    public void admin(HttpServerRequest request, Buffer body) {
        try {
            if (!ADMIN_PATH.equals(request.path())) {
                problem(request, 404, "Not found", "Unknown admin path " + request.path());
            } else if (request.method() == HttpMethod.GET) {
                ObjectNode out = mapper.createObjectNode().put("enabled", config.sts().enabled()).put("url", url())
                        .put("roleArn", sts.roleArn()).put("credentialLifetime", sts.lifetime().toString());
                json(request, 200, out);
            } else if (request.method() == HttpMethod.PUT) {
                JsonNode json = mapper.readTree(body.getBytes());
                String lifetime = json == null ? null : json.path("credentialLifetime").asText(null);
                if (lifetime == null) {
                    throw new IllegalArgumentException("Body must be {\"credentialLifetime\":\"PT60S\"} (an ISO-8601 duration)");
                }
                sts.setLifetime(Duration.parse(lifetime));
                LOG.infof("Local STS: credentials issued from now on last %s", sts.lifetime());
                request.response().setStatusCode(204).end();
            } else {
                problem(request, 405, "Method not allowed", request.method() + " " + request.path() + " is not supported");
            }
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            problem(request, 400, "Invalid STS settings", e.getMessage());
        }
    }

    private void handle(HttpServerRequest request) {
        String requestId = UUID.randomUUID().toString();
        request.response().putHeader("x-amzn-RequestId", requestId);
        request.body().onSuccess(body -> {
            if (body.length() > MAX_BODY_BYTES) {
                request.response().setStatusCode(413).end();
                return;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            parse(request.query(), parameters);
            if (request.method() == HttpMethod.POST) {
                parse(body.toString(StandardCharsets.UTF_8), parameters);
            }
            try {
                xml(request, 200, StsXml.issued(sts.call(parameters), requestId));
            } catch (StsError e) {
                if (request.getHeader(AuthCounts.HEALTH_CHECK_HEADER) == null) {
                    counts.refused(AuthCounts.STS, e.code());
                }
                LOG.debugf("Local STS: refused %s (%s)", e.code(), e.getMessage());
                xml(request, e.status(), StsXml.error(e, requestId));
            }
        }).onFailure(e -> request.response().setStatusCode(400).end());
    }

    private static void parse(String form, Map<String, String> into) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            into.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
    }

    private static void xml(HttpServerRequest request, int status, String xml) {
        request.response().setStatusCode(status).putHeader("Content-Type", "text/xml").end(xml);
    }

    private void json(HttpServerRequest request, int status, JsonNode body) throws IOException {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(mapper.writeValueAsBytes(body)));
    }

    private void problem(HttpServerRequest request, int status, String title, String detail) {
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(mapper.createObjectNode().put("type", "about:blank").put("title", title)
                            .put("status", status).put("detail", detail))));
        } catch (IOException e) {
            request.response().setStatusCode(status).end();
        }
    }

    /** The STS's answers in AWS STS's XML. */
    static final class StsXml {

        private StsXml() {
        }

        static String issued(LocalSts.Issued issued, String requestId) {
            Credential c = issued.credential();
            return "<AssumeRoleWithWebIdentityResponse xmlns=\"" + NAMESPACE + "\">\n"
                    + "  <AssumeRoleWithWebIdentityResult>\n"
                    + "    <SubjectFromWebIdentityToken>" + Xml.escape(issued.subject()) + "</SubjectFromWebIdentityToken>\n"
                    + "    <Audience>sts.amazonaws.com</Audience>\n"
                    + "    <AssumedRoleUser>\n"
                    + "      <Arn>" + Xml.escape(issued.assumedRoleArn()) + "</Arn>\n"
                    + "      <AssumedRoleId>" + Xml.escape(issued.assumedRoleId()) + "</AssumedRoleId>\n"
                    + "    </AssumedRoleUser>\n"
                    + "    <Credentials>\n"
                    + "      <AccessKeyId>" + c.accessKeyId() + "</AccessKeyId>\n"
                    + "      <SecretAccessKey>" + Xml.escape(c.secretAccessKey()) + "</SecretAccessKey>\n"
                    + "      <SessionToken>" + Xml.escape(c.sessionToken()) + "</SessionToken>\n"
                    + "      <Expiration>" + c.expiration() + "</Expiration>\n"
                    + "    </Credentials>\n"
                    + "    <Provider>" + Xml.escape(issued.provider()) + "</Provider>\n"
                    + "  </AssumeRoleWithWebIdentityResult>\n"
                    + "  <ResponseMetadata>\n"
                    + "    <RequestId>" + requestId + "</RequestId>\n"
                    + "  </ResponseMetadata>\n"
                    + "</AssumeRoleWithWebIdentityResponse>\n";
        }

        static String error(StsError e, String requestId) {
            return "<ErrorResponse xmlns=\"" + NAMESPACE + "\">\n"
                    + "  <Error>\n"
                    + "    <Type>Sender</Type>\n"
                    + "    <Code>" + e.code() + "</Code>\n"
                    + "    <Message>" + Xml.escape(e.getMessage()) + "</Message>\n"
                    + "  </Error>\n"
                    + "  <RequestId>" + requestId + "</RequestId>\n"
                    + "</ErrorResponse>\n";
        }
    }
}
