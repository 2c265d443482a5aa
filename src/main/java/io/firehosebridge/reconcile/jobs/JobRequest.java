package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /reconciliations}: a topic, optionally some of its partitions (default all),
 * and optionally {@code from} (inclusive) and {@code to} (exclusive) applied to each partition.
 */
@RegisterForReflection
public record JobRequest(String topic, List<Integer> partitions, Long from, Long to) {

    private static final Set<String> FIELDS = Set.of("topic", "partitions", "from", "to");
    private static final String SHAPE = "expected {\"topic\": \"<name>\", \"partitions\": [0, 1]?, \"from\": <offset>?, \"to\": <offset>?}";

    /** Reads and checks a request body, with a 400 that names the field to fix. */
    public static JobRequest from(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ReconcileException.invalidRequest("The body must be a JSON object: " + SHAPE);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ReconcileException.invalidRequest("Unknown field '" + ReconcileException.clip(name) + "': " + SHAPE);
            }
        }
        JsonNode topic = body.get("topic");
        if (topic == null || !topic.isTextual()) {
            throw ReconcileException.invalidRequest("'topic' is required and must be a string: " + SHAPE);
        }
        List<Integer> partitions = null;
        JsonNode p = body.get("partitions");
        if (p != null && !p.isNull()) {
            if (!p.isArray() || p.isEmpty()) {
                throw ReconcileException.invalidRequest("'partitions' must be a non-empty array of partition numbers, or left out for all partitions");
            }
            if (p.size() > 10_000) {
                throw ReconcileException.invalidRequest("'partitions' lists " + p.size() + " entries; a topic has at most a few thousand partitions");
            }
            Set<Integer> seen = new LinkedHashSet<>();
            for (JsonNode n : p) {
                if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
                    throw ReconcileException.invalidRequest("'partitions' must hold partition numbers (0 or more), not " + ReconcileException.clip(n.toString()));
                }
                seen.add(n.asInt());
            }
            partitions = new ArrayList<>(seen);
        }
        return new JobRequest(topic.asText(), partitions, offset(body, "from"), offset(body, "to"));
    }

    private static Long offset(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ReconcileException.invalidRequest("'" + field + "' must be a whole-number offset, not " + ReconcileException.clip(n.toString()));
        }
        return n.asLong();
    }
}
