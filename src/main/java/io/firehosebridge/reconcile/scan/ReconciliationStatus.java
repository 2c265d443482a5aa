package io.firehosebridge.reconcile.scan;

import java.time.Duration;
import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Overall verdict on a range. Registered for reflection: reports and the API's answers hold it. */
@RegisterForReflection
public enum ReconciliationStatus {
    /** Every offset is in search and in the backup. */
    COMPLETE,
    /**
     * Some offsets are missing on one side or both, and they were sent longer ago than the delivery window, or
     * the ledger verifier had confirmed them present once (so they are lost, not on their way).
     */
    INCOMPLETE,
    /** Some offsets are missing, but they may still be on their way (sent within the delivery window). */
    PENDING,
    /** The topic's records are dropped by the routing rule (bridge.routing.unmatched=drop): none was sent, none is missing. */
    DROPPED;

    /**
     * The verdict for a range.
     *
     * @param missingInSearch offsets not found in search
     * @param missingInBackup offsets not found in the backup
     * @param oldestMissingSentAt when the oldest missing record was sent (or, not known, its Kafka timestamp); null when nothing is missing
     * @param now the current time
     * @param window buffer interval plus allowance
     */
    public static ReconciliationStatus of(long missingInSearch, long missingInBackup, Instant oldestMissingSentAt, Instant now,
            Duration window) {
        return of(missingInSearch, missingInBackup, oldestMissingSentAt, now, window, false);
    }

    /**
     * The verdict for a range, knowing whether an offset now missing lies in a span the ledger verifier once
     * confirmed present: such a range is INCOMPLETE at once, whatever the delivery window.
     */
    public static ReconciliationStatus of(long missingInSearch, long missingInBackup, Instant oldestMissingSentAt, Instant now,
            Duration window, boolean missingAfterConfirmed) {
        if (missingInSearch == 0 && missingInBackup == 0) {
            return COMPLETE;
        }
        if (missingAfterConfirmed) {
            return INCOMPLETE;
        }
        if (oldestMissingSentAt != null && oldestMissingSentAt.plus(window).isAfter(now)) {
            return PENDING;
        }
        return INCOMPLETE;
    }
}
