package io.firehosebridge.reconcile.ledger;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One span of the delivery ledger: consecutive offsets of a partition Firehose accepted, when they
 * were sent, and what the verifier found once their delivery window had passed.
 *
 * @param topic the Kafka topic
 * @param partition the partition
 * @param first first offset of the span
 * @param last last offset of the span (inclusive)
 * @param sentAt when the earliest call carrying them was sent
 * @param redriven true for records sent again by a re-drive
 * @param status UNVERIFIED until checked, then CONFIRMED or MISSING
 * @param checkedAt when the verifier last checked it
 * @param missingInSearch offsets of the span not found in search at that check
 * @param missingInBackup offsets of the span not found in the backup at that check
 */
@RegisterForReflection
public record LedgerEntry(String topic, int partition, long first, long last, Instant sentAt, boolean redriven, Status status,
        Instant checkedAt, long missingInSearch, long missingInBackup) {

    /** What the verifier knows about a span. */
    public enum Status {
        /** Not checked yet (its delivery window may not have passed). */
        UNVERIFIED,
        /** Every offset was found in search and in the backup. */
        CONFIRMED,
        /** Some offsets were missing at the last check. */
        MISSING
    }

    /** Offsets in the span. */
    public long records() {
        return last - first + 1;
    }

    /** Key in the compacted ledger topic: one per span and send, so a later verdict replaces the earlier one. */
    public String key() {
        return topic + "/" + partition + "/" + first + "/" + sentAt.toEpochMilli() + (redriven ? "/r" : "");
    }

    /** The same span with a verdict. */
    public LedgerEntry checked(Instant at, long missingSearch, long missingBackup) {
        return new LedgerEntry(topic, partition, first, last, sentAt, redriven,
                missingSearch == 0 && missingBackup == 0 ? Status.CONFIRMED : Status.MISSING, at, missingSearch, missingBackup);
    }
}
