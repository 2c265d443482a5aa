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
 * @param duplicatedInSearch offsets of the span with more than one document in search after that check (and its repair, when the
 *        verifier repairs): duplicates seen and not repaired
 */
@RegisterForReflection
public record LedgerEntry(String topic, int partition, long first, long last, Instant sentAt, boolean redriven, Status status,
        Instant checkedAt, long missingInSearch, long missingInBackup, long duplicatedInSearch) {

    /** What the verifier knows about a span. */
    public enum Status {
        /** Not checked yet (its delivery window may not have passed). */
        UNVERIFIED,
        /**
         * Every offset was found in search and in the backup, once the offsets had been committed for a delivery window (so no
         * send of them can still arrive), and the duplicates the verifier repairs were repaired.
         */
        CONFIRMED,
        /** Some offsets were missing at the last check. */
        MISSING,
        /** Nothing missing, but the verifier's repair is on and duplicates were left at the last check: checked and repaired again. */
        DUPLICATED
    }

    /** A span just accepted, not checked yet. */
    public static LedgerEntry sent(String topic, int partition, long first, long last, Instant sentAt, boolean redriven) {
        return new LedgerEntry(topic, partition, first, last, sentAt, redriven, Status.UNVERIFIED, null, 0, 0, 0);
    }

    /** Offsets in the span. */
    public long records() {
        return last - first + 1;
    }

    /** Key in the compacted ledger topic: one per span and send, so a later verdict replaces the earlier one. */
    public String key() {
        return topic + "/" + partition + "/" + first + "/" + sentAt.toEpochMilli() + (redriven ? "/r" : "");
    }

    /**
     * The same span with a verdict.
     *
     * @param duplicatesLeft offsets of the span with more than one document in search after the check (and its repair, if any)
     * @param repairing whether the verifier repairs duplicates: then duplicates left keep the span from being confirmed
     */
    public LedgerEntry checked(Instant at, long missingSearch, long missingBackup, long duplicatesLeft, boolean repairing) {
        Status verdict = missingSearch > 0 || missingBackup > 0 ? Status.MISSING
                : duplicatesLeft > 0 && repairing ? Status.DUPLICATED : Status.CONFIRMED;
        return new LedgerEntry(topic, partition, first, last, sentAt, redriven, verdict, at, missingSearch, missingBackup, duplicatesLeft);
    }

    /** The same span, to be checked again (its offsets are being sent again: a consumer group reset). */
    public LedgerEntry reopened() {
        return new LedgerEntry(topic, partition, first, last, sentAt, redriven, Status.UNVERIFIED, null, 0, 0, 0);
    }
}
