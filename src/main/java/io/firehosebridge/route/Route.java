package io.firehosebridge.route;

import java.util.Optional;

/**
 * Where a topic's records go and where reconciliation looks for them.
 *
 * @param name the route's name ({@code default} for bridge.delivery.delivery-stream, {@code dropped} for records no route takes)
 * @param deliveryStream the Firehose delivery stream; null when the records are dropped
 * @param indexPattern the stream's indices; empty when search is not one of its destinations
 * @param backupBucket the stream's S3 bucket
 * @param backupPrefix the stream's S3 Prefix, with Firehose's expressions
 * @param errorOutputPrefix the stream's S3 ErrorOutputPrefix
 */
public record Route(String name, String deliveryStream, Optional<String> indexPattern, String backupBucket, Optional<String> backupPrefix,
        Optional<String> errorOutputPrefix) {

    /** The name of the route records take when no route names their topic and bridge.routing.unmatched=default. */
    public static final String DEFAULT = "default";

    /** Records of topics no route takes, with bridge.routing.unmatched=drop. */
    public static final Route DROPPED = new Route("dropped", null, Optional.empty(), null, Optional.empty(), Optional.empty());

    /** Whether the records are dropped by the unmatched rule rather than sent. */
    public boolean dropped() {
        return deliveryStream == null;
    }

    /** Whether the stream indexes into search (and reconciliation checks it there); false for an S3-only stream. */
    public boolean searched() {
        return indexPattern.isPresent();
    }

    /** The index pattern of a searched stream; fails for an S3-only one, whose callers must not ask. */
    public String index() {
        return indexPattern.orElseThrow(() -> new IllegalStateException("route " + name + " has no search destination"));
    }
}
