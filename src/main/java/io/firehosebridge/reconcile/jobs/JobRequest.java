package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /reconciliations}: a topic, optionally some of its partitions (default all),
 * and optionally {@code from} (inclusive) and {@code to} (exclusive) applied to each partition.
 * Bound by Jackson ({@code reconcile.api.JsonBody}); a value it cannot hold is refused here, with a 400 that names the field.
 * Repeated partitions count once.
 */
@RegisterForReflection
public record JobRequest(String topic, List<Integer> partitions, Long from, Long to) {

    /** The body's shape, for the details of a refused body. */
    public static final String SHAPE = "expected {\"topic\": \"<name>\", \"partitions\": [0, 1]?, \"from\": <offset>?, \"to\": <offset>?}";

    /** What each field must hold ({@code partitions[]}: each entry of it), for the detail of a field of the wrong type. */
    public static final Map<String, String> FIELDS = Map.of(
            "topic", "a string, the topic's name",
            "partitions", "a non-empty array of partition numbers (0 or more), or left out for all partitions",
            "partitions[]", "a partition number (0 or more)",
            "from", "a whole-number offset",
            "to", "a whole-number offset");

    private static final int MAX_PARTITIONS = 10_000;

    public JobRequest {
        if (topic == null) {
            throw ReconcileException.invalidRequest("'topic' is required and must be a string: " + SHAPE);
        }
        if (partitions != null) {
            if (partitions.isEmpty()) {
                throw ReconcileException.invalidRequest("'partitions' must be a non-empty array of partition numbers, or left out for all partitions");
            }
            if (partitions.size() > MAX_PARTITIONS) {
                throw ReconcileException.invalidRequest("'partitions' lists " + partitions.size() + " entries; a topic has at most a few thousand partitions");
            }
            for (Integer p : partitions) {
                if (p == null || p < 0) {
                    throw ReconcileException.invalidRequest("'partitions' must hold partition numbers (0 or more), not " + p);
                }
            }
            partitions = List.copyOf(new LinkedHashSet<>(partitions));
        }
    }
}
