package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.StackClock;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code GET /_local/clock} and {@code PUT /_local/clock {"offset":"PT10M"}}: how far this stack's AWS time runs ahead of
 * the machine's clock (negative: behind). A caller on this machine then signs with a time that far off AWS's, as a node
 * whose clock drifted does; past 5 minutes its signatures are refused, and the answers' {@code Date} says AWS's time. It
 * moves AWS's time for every caller of the stack (as {@code /_local/sts} changes every caller's credentials).
 */
final class ClockAdmin {

    static final String PATH = "/_local/clock";

    private final StackClock stack;
    private final ObjectMapper mapper;

    ClockAdmin(StackClock stack, ObjectMapper mapper) {
        this.stack = stack;
        this.mapper = mapper;
    }

    void handle(HttpServerRequest request, Buffer body) throws IOException {
        if (request.method() == HttpMethod.PUT) {
            Duration offset;
            try {
                JsonNode node = mapper.readTree(body.getBytes()).path("offset");
                if (!node.isTextual()) {
                    throw new IllegalArgumentException("'offset' is required, an ISO-8601 duration such as \"PT10M\" or \"-PT6M\"");
                }
                offset = Duration.parse(node.asText());
            } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                answer(request, 400, LocalFirehoseServer.problem(mapper, 400, "Invalid clock setting", e.getMessage()));
                return;
            }
            stack.setOffset(offset);
        } else if (request.method() != HttpMethod.GET) {
            answer(request, 405, LocalFirehoseServer.problem(mapper, 405, "Method not allowed", request.method() + " " + PATH + " is not supported"));
            return;
        }
        answer(request, 200, mapper.createObjectNode().put("offset", stack.offset().toString()).put("now", stack.instant().toString()));
    }

    private void answer(HttpServerRequest request, int status, JsonNode body) throws IOException {
        request.response().setStatusCode(status).putHeader("Content-Type", status == 200 ? "application/json" : "application/problem+json")
                .end(Buffer.buffer(mapper.writeValueAsBytes(body)));
    }
}
