package io.firehosebridge.reconcile.scan;

import java.time.Instant;
import java.util.List;

/**
 * What the reconciler asks about a range's sends: when its records were sent, and which spans of it were once confirmed
 * in search and the backup. The delivery ledger answers it; the reconciler knows only this, so the scan does not depend on
 * the ledger (whose verifier runs the scan).
 */
public interface DeliveryHistory {

    /** When the span holding this offset was first sent, or null when nothing is known of it. */
    Instant sentAt(String topic, int partition, long offset);

    /** The latest send time of spans overlapping {@code [from, to)}, or null. */
    Instant latestSent(String topic, int partition, long from, long to);

    /** Spans overlapping {@code [from, to)} that were found complete in search and the backup at some check. */
    List<OffsetRange> confirmed(String topic, int partition, long from, long to);

    /** Where the bridge's group started on the partition, having no committed offset there, or -1 when that is not known. */
    long groupStart(String topic, int partition);
}
