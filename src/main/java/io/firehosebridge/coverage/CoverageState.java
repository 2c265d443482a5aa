package io.firehosebridge.coverage;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the delivery ledger knows about an offset on one side (search or backup), best first. */
@RegisterForReflection
public enum CoverageState {
    /** The verifier found it there. */
    CONFIRMED,
    /** Sent, and still inside the delivery window: it may be on its way. */
    PENDING,
    /** Sent, the delivery window has passed, and the verifier has not checked it yet. */
    OVERDUE,
    /** In a span the verifier found records missing from (a reconciliation names the exact offsets). */
    MISSING,
    /** Not in the ledger: not sent (a dead letter, or not consumed yet), or a confirmed span already dropped from memory. */
    NOT_IN_LEDGER;

    /** The state a merged stretch shows: the one that most needs attention. */
    static CoverageState worst(CoverageState a, CoverageState b) {
        return a.attention() >= b.attention() ? a : b;
    }

    private int attention() {
        return switch (this) {
            case CONFIRMED -> 0;
            case NOT_IN_LEDGER -> 1;
            case PENDING -> 2;
            case OVERDUE -> 3;
            case MISSING -> 4;
        };
    }
}
