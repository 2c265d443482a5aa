package io.firehosebridge.reconcile.scan;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What reached search and the S3 backup for the offsets {@code [from, to)} of one partition.
 *
 * @param topic the Kafka topic
 * @param partition the partition
 * @param from first offset checked
 * @param to offset after the last one checked
 * @param expected offsets in the range
 * @param status COMPLETE, INCOMPLETE or PENDING
 * @param search what the search indices hold; absent when the stream has no search destination (bridge.search.enabled=false)
 * @param backup what the S3 backup holds (failed-document lines included)
 * @param failedInSearch offsets Firehose wrote to the failed-documents prefix, with the recorded errors
 * @param oldestMissingSentAt when the oldest missing record was sent (ledger) or produced (Kafka timestamp); null when nothing is missing
 * @param checkedAt when the check finished
 * @param tookMillis how long the check took
 * @param checked the destinations checked: {@code search} and {@code backup}, or only {@code backup} for an S3-only stream
 *        (whose S3 destination is reported as the backup); none for a topic whose records are dropped
 * @param routes where the range's records went: one share per route, with its delivery stream and how many offsets took it
 *        (one share, of every offset, unless the topic is routed by a field; {@code default} without routes, {@code dropped}
 *        for records no route takes)
 */
@RegisterForReflection
public record PartitionReport(
        String topic,
        int partition,
        long from,
        long to,
        long expected,
        ReconciliationStatus status,
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Side search,
        Side backup,
        Failed failedInSearch,
        Instant oldestMissingSentAt,
        Instant checkedAt,
        long tookMillis,
        List<String> checked,
        List<RouteShare> routes) {

    /** What {@link #checked} holds when search and the backup were checked. */
    public static final List<String> SEARCH_AND_BACKUP = List.of("search", "backup");
    /** What {@link #checked} holds for an S3-only stream. */
    public static final List<String> BACKUP_ONLY = List.of("backup");
    /** What {@link #checked} holds for a topic whose records are dropped: nothing was sent, so nothing is looked for. */
    public static final List<String> NOTHING = List.of();

    /**
     * The offsets of the range that took one route.
     *
     * @param route the route's name
     * @param deliveryStream its delivery stream; absent for records dropped by the unmatched rule
     * @param offsets how many offsets of the range took it
     */
    @RegisterForReflection
    public record RouteShare(String route, @JsonInclude(JsonInclude.Include.NON_NULL) String deliveryStream, long offsets) {
    }

    /**
     * One destination's view of the range.
     *
     * @param present offsets with at least one copy
     * @param missingCount offsets with no copy
     * @param missing the offsets with no copy as inclusive [first, last] ranges
     * @param missingRanges how many ranges there are in all (more than listed when truncated)
     * @param missingTruncated true when only the first ranges are listed
     * @param duplicated offsets with more than one copy
     * @param scanned what was read to find out
     */
    @RegisterForReflection
    public record Side(long present, long missingCount, List<OffsetRange> missing, long missingRanges, boolean missingTruncated,
            Duplicates duplicated, Scanned scanned) {
    }

    /**
     * @param offsets offsets with more than one copy
     * @param extraCopies copies beyond the first, summed (an offset found 3 times adds 2)
     * @param most the most duplicated offsets
     */
    @RegisterForReflection
    public record Duplicates(long offsets, long extraCopies, List<OffsetCopies> most) {
    }

    /** One offset and how many copies of it were found. */
    @RegisterForReflection
    public record OffsetCopies(long offset, long copies) {
    }

    /**
     * @param indices search indices that hold documents of the range
     * @param documents documents of the range read (all copies)
     * @param prefixes S3 key prefixes listed (arrival hours that can hold the range)
     * @param objects S3 objects under those prefixes
     * @param objectsRead objects read now (new since the last check)
     * @param objectsFromCache objects whose summary was already known
     * @param lines lines of the range's partition found in those objects
     */
    @RegisterForReflection
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Scanned(List<String> indices, Long documents, List<String> prefixes, Integer objects, Integer objectsRead,
            Integer objectsFromCache, Long lines) {
    }

    /**
     * @param count offsets found in the failed-documents prefix
     * @param ranges those offsets as inclusive ranges
     * @param errors the distinct errors recorded
     */
    @RegisterForReflection
    public record Failed(long count, List<OffsetRange> ranges, List<FailedError> errors) {
    }

    /** An error Firehose recorded for failed documents, the first offset it applies to and how many copies carried it. */
    @RegisterForReflection
    public record FailedError(String errorCode, String errorMessage, long firstOffset, long count) {
    }
}
