package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.LocalFirehose;
import io.firehosebridge.localfirehose.stream.StreamFaults;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * The non-AWS admin API, for fault suites running in another process:
 * {@code GET|PUT /_local/streams/{name}/faults} reads or changes a stream's quotas and faults (a PUT body may
 * carry any subset of the fields), {@code POST /_local/streams/{name}/flush} delivers its buffer now.
 * Errors are RFC 7807 problem+json.
 */
final class FaultsAdmin {

    private final LocalFirehose firehose;
    private final ObjectMapper mapper;

    FaultsAdmin(LocalFirehose firehose, ObjectMapper mapper) {
        this.firehose = firehose;
        this.mapper = mapper;
    }

    void handle(HttpServerRequest request, Buffer body) {
        String[] parts = request.path().split("/");
        // "", "_local", "streams", name, action
        if (parts.length != 5 || !"streams".equals(parts[2])) {
            problem(request, 404, "Not found", "Unknown admin path " + request.path());
            return;
        }
        String name = parts[3];
        String action = parts[4];
        if (firehose.stream(name).isEmpty()) {
            problem(request, 404, "No such delivery stream", "Delivery stream " + name + " does not exist");
            return;
        }
        try {
            if ("faults".equals(action) && request.method() == HttpMethod.GET) {
                json(request, 200, toJson(firehose.faults(name)));
            } else if ("faults".equals(action) && request.method() == HttpMethod.PUT) {
                StreamFaults updated = merge(firehose.faults(name), mapper.readTree(body.getBytes()));
                firehose.setFaults(name, updated);
                json(request, 200, toJson(updated));
            } else if ("flush".equals(action) && request.method() == HttpMethod.POST) {
                firehose.flush(name);
                request.response().setStatusCode(202).end();
            } else {
                problem(request, 405, "Method not allowed", request.method() + " " + request.path() + " is not supported");
            }
        } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
            problem(request, 400, "Invalid faults", e.getMessage());
        }
    }

    ObjectNode toJson(StreamFaults f) {
        ObjectNode out = mapper.createObjectNode();
        out.put("recordsPerSecond", f.recordsPerSecond());
        out.put("requestsPerSecond", f.requestsPerSecond());
        out.put("mibPerSecond", f.mibPerSecond());
        out.put("recordFailureRate", f.recordFailureRate());
        out.put("callErrorType", f.callErrorType());
        out.put("callErrorStatus", f.callErrorStatus());
        out.put("callErrorUntil", f.callErrorUntil() == null ? null : f.callErrorUntil().toString());
        out.put("addedLatencyMillis", f.addedLatency().toMillis());
        out.put("deliveryEnabled", f.deliveryEnabled());
        return out;
    }

    /** Applies the fields present in {@code json} to {@code f}; {@code callErrorSeconds} sets callErrorUntil from now. */
    StreamFaults merge(StreamFaults f, JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("Body must be a JSON object");
        }
        StreamFaults out = f.withQuotas(
                json.path("recordsPerSecond").asLong(f.recordsPerSecond()),
                json.path("requestsPerSecond").asLong(f.requestsPerSecond()),
                json.path("mibPerSecond").asDouble(f.mibPerSecond()));
        if (json.has("recordFailureRate")) {
            out = out.withRecordFailureRate(json.get("recordFailureRate").asDouble());
        }
        String type = json.path("callErrorType").asText(out.callErrorType());
        int status = json.path("callErrorStatus").asInt(out.callErrorStatus());
        Instant until = out.callErrorUntil();
        if (json.has("callErrorUntil")) {
            until = json.get("callErrorUntil").isNull() ? null : Instant.parse(json.get("callErrorUntil").asText());
        }
        if (json.has("callErrorSeconds")) {
            until = firehose.clock().instant().plusMillis((long) (json.get("callErrorSeconds").asDouble() * 1000));
        }
        out = out.withCallError(type, status, until);
        if (json.has("addedLatencyMillis")) {
            out = out.withAddedLatency(Duration.ofMillis(json.get("addedLatencyMillis").asLong()));
        }
        if (json.has("deliveryEnabled")) {
            out = out.withDeliveryEnabled(json.get("deliveryEnabled").asBoolean());
        }
        return out;
    }

    private void json(HttpServerRequest request, int status, JsonNode body) throws IOException {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(mapper.writeValueAsBytes(body)));
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
