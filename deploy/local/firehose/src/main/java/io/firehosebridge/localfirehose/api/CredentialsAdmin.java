package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.auth.Credential;
import io.firehosebridge.localfirehose.auth.CredentialStore;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The non-AWS admin API for the keys the endpoint accepts, for a local STS or a test that hands out credentials:
 * {@code PUT /_local/credentials/{accessKeyId}} with {@code {"secretAccessKey":..., "sessionToken":..., "expiration":...}}
 * (token and ISO-8601 expiration only for temporary credentials) registers or replaces a key,
 * {@code DELETE /_local/credentials/{accessKeyId}} forgets it, {@code GET /_local/credentials} lists the keys without their
 * secrets or tokens. Errors are RFC 7807 problem+json.
 */
final class CredentialsAdmin {

    static final String PATH = "/_local/credentials";
    private static final Logger LOG = Logger.getLogger(CredentialsAdmin.class);

    private final CredentialStore credentials;
    private final ObjectMapper mapper;

    CredentialsAdmin(CredentialStore credentials, ObjectMapper mapper) {
        this.credentials = credentials;
        this.mapper = mapper;
    }

    void handle(HttpServerRequest request, Buffer body) {
        String rest = request.path().substring(PATH.length());
        try {
            if (rest.isEmpty() || "/".equals(rest)) {
                if (request.method() != HttpMethod.GET) {
                    problem(request, 405, "Method not allowed", request.method() + " " + request.path() + " is not supported");
                    return;
                }
                list(request);
                return;
            }
            String id = rest.substring(1);
            if (id.isEmpty() || id.contains("/")) {
                problem(request, 404, "Not found", "Unknown admin path " + request.path());
            } else if (request.method() == HttpMethod.PUT) {
                Credential credential = parse(id, mapper.readTree(body.getBytes()));
                credentials.register(credential);
                LOG.infof("Local Firehose: key %s registered (%s)", id, credential.temporary()
                        ? "temporary, expires " + (credential.expiration() == null ? "never" : credential.expiration().toString()) : "long-term");
                request.response().setStatusCode(204).end();
            } else if (request.method() == HttpMethod.DELETE) {
                if (credentials.remove(id)) {
                    request.response().setStatusCode(204).end();
                } else {
                    problem(request, 404, "No such key", "Access key " + id + " is not registered");
                }
            } else {
                problem(request, 405, "Method not allowed", request.method() + " " + request.path() + " is not supported");
            }
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            problem(request, 400, "Invalid credentials", e.getMessage());
        }
    }

    private static Credential parse(String accessKeyId, JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("Body must be a JSON object with secretAccessKey, and sessionToken and expiration for temporary credentials");
        }
        String secret = json.path("secretAccessKey").asText(null);
        if (secret == null) {
            throw new IllegalArgumentException("secretAccessKey is required");
        }
        String token = json.hasNonNull("sessionToken") ? json.get("sessionToken").asText() : null;
        Instant expiration = json.hasNonNull("expiration") ? Instant.parse(json.get("expiration").asText()) : null;
        if (expiration != null && token == null) {
            throw new IllegalArgumentException("expiration is only for temporary credentials, which have a sessionToken");
        }
        return new Credential(accessKeyId, secret, token, expiration);
    }

    private void list(HttpServerRequest request) throws IOException {
        ArrayNode out = mapper.createArrayNode();
        for (Credential c : credentials.list()) {
            out.addObject().put("accessKeyId", c.accessKeyId()).put("temporary", c.temporary())
                    .put("expiration", c.expiration() == null ? null : c.expiration().toString());
        }
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(Buffer.buffer(mapper.writeValueAsBytes(out)));
    }

    private void problem(HttpServerRequest request, int status, String title, String detail) {
        try {
            request.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .end(Buffer.buffer(mapper.writeValueAsBytes(LocalFirehoseServer.problem(mapper, status, title, detail))));
        } catch (IOException e) {
            request.response().setStatusCode(status).end();
        }
    }
}
