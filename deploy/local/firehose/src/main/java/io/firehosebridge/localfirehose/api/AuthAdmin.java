package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.auth.AuthCounts;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /_local/auth}: the credentials the local STS issued and the calls each front refused, by error code, since
 * start: {@code {"issued":n,"refused":{"firehose":{"ExpiredTokenException":n},"search":{},"s3":{},"sts":{}}}}. A test
 * reads it before and after a run to prove that no call was refused.
 */
final class AuthAdmin {

    static final String PATH = "/_local/auth";

    private final AuthCounts counts;
    private final ObjectMapper mapper;

    AuthAdmin(AuthCounts counts, ObjectMapper mapper) {
        this.counts = counts;
        this.mapper = mapper;
    }

    void handle(HttpServerRequest request) throws IOException {
        if (request.method() != HttpMethod.GET) {
            request.response().setStatusCode(405).putHeader("Content-Type", "application/problem+json").end(Buffer.buffer(mapper.writeValueAsBytes(
                    LocalFirehoseServer.problem(mapper, 405, "Method not allowed", request.method() + " " + PATH + " is not supported"))));
            return;
        }
        ObjectNode out = mapper.createObjectNode().put("issued", counts.issuedCount());
        ObjectNode refused = out.putObject("refused");
        counts.refusedCounts().forEach((front, codes) -> {
            ObjectNode node = refused.putObject(front);
            codes.forEach(node::put);
        });
        request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(Buffer.buffer(mapper.writeValueAsBytes(out)));
    }
}
