package io.firehosebridge.coverage;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the coverage page shows: per topic and partition, the offsets the delivery ledger knows as stretches
 * of one state on each side (search, backup), and the completeness figures the alerts use.
 *
 * @param at when it was computed
 * @param ledgerEnabled false when this instance keeps no ledger (delivery or the ledger is off)
 * @param deliveryWindowSeconds bridge.reconcile.delivery-window: how long a sent record counts as pending
 * @param refreshSeconds how often the page asks again
 * @param figures the figures over every partition shown
 * @param partitions one entry per topic and partition the ledger knows, in topic and partition order
 */
@RegisterForReflection
public record CoverageView(Instant at, boolean ledgerEnabled, long deliveryWindowSeconds, double refreshSeconds, Figures figures,
        List<PartitionCoverage> partitions) {

    /**
     * Completeness as the alert gauges count it ({@code bridge.reconcile.unconfirmed.*}): spans not yet verified count whole,
     * spans found incomplete count their missing records.
     *
     * @param unconfirmedSearch records sent but not (yet) confirmed in search
     * @param unconfirmedBackup records sent but not (yet) confirmed in the backup
     * @param oldestUnconfirmedSentAt when the oldest span not confirmed on both sides was sent; null when none
     * @param oldestUnconfirmedAgeSeconds its age; 0 when none
     * @param unrepairedDuplicates offsets the verifier last found with more than one document in search and did not (yet) repair
     */
    @RegisterForReflection
    public record Figures(long unconfirmedSearch, long unconfirmedBackup, Instant oldestUnconfirmedSentAt, double oldestUnconfirmedAgeSeconds,
            long unrepairedDuplicates) {
    }

    /**
     * One partition's bar.
     *
     * @param topic the topic
     * @param partition the partition
     * @param first the first offset the ledger knows
     * @param last the last offset the ledger knows (inclusive)
     * @param spans ledger spans of the partition
     * @param figures the partition's completeness figures
     * @param search the bar for the search index; absent when the stream has no search destination (bridge.search.enabled=false)
     * @param backup the bar for the S3 backup
     */
    @RegisterForReflection
    public record PartitionCoverage(String topic, int partition, long first, long last, int spans, Figures figures,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Side search,
            Side backup) {
    }

    /**
     * One side of a partition's bar.
     *
     * @param counts offsets per state over the whole bar
     * @param stretches consecutive offsets in offset order, covering {@code first..last} without gaps
     * @param merged true when neighbouring stretches were merged to stay within bridge.coverage.max-stretches
     */
    @RegisterForReflection
    public record Side(Counts counts, List<Stretch> stretches, boolean merged) {
    }

    /**
     * Consecutive offsets shown as one piece of the bar.
     *
     * @param first first offset
     * @param last last offset (inclusive)
     * @param state the state of every offset, or for a merged stretch the one that most needs attention
     * @param counts offsets per state
     * @param missingAtCheck records the verifier found missing in the spans flagged MISSING here (at their last check)
     * @param spans ledger spans behind the stretch
     * @param sentFrom earliest send time of those spans; null when none
     * @param sentTo latest send time of those spans; null when none
     * @param redriven true when some of those spans were sent by a re-drive
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stretch(long first, long last, CoverageState state, Counts counts, long missingAtCheck, int spans, Instant sentFrom,
            Instant sentTo, boolean redriven) {
    }

    /** Offsets per state. */
    @RegisterForReflection
    public record Counts(long confirmed, long pending, long overdue, long missing, long notInLedger) {

        static final Counts NONE = new Counts(0, 0, 0, 0, 0);

        static Counts of(CoverageState state, long offsets) {
            return switch (state) {
                case CONFIRMED -> new Counts(offsets, 0, 0, 0, 0);
                case PENDING -> new Counts(0, offsets, 0, 0, 0);
                case OVERDUE -> new Counts(0, 0, offsets, 0, 0);
                case MISSING -> new Counts(0, 0, 0, offsets, 0);
                case NOT_IN_LEDGER -> new Counts(0, 0, 0, 0, offsets);
            };
        }

        Counts plus(Counts o) {
            return new Counts(confirmed + o.confirmed, pending + o.pending, overdue + o.overdue, missing + o.missing, notInLedger + o.notInLedger);
        }
    }

    /**
     * The Kafka timestamps a stretch spans (the page asks when a stretch is opened).
     *
     * @param topic the topic
     * @param partition the partition
     * @param first first offset
     * @param last last offset (inclusive)
     * @param firstTimestamp Kafka timestamp of the record at {@code first} (or the next one retained); null when none
     * @param lastTimestamp Kafka timestamp of the record at {@code last} (or the next one retained up to the log end); null when none
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StretchTimes(String topic, int partition, long first, long last, Instant firstTimestamp, Instant lastTimestamp) {
    }
}
