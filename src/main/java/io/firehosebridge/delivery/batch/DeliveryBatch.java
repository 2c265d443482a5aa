package io.firehosebridge.delivery.batch;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records sent to Firehose in one call (or one dead letter), and the in-flight budget they hold from the moment the
 * batcher emits them until {@link #release} gives it back: once, whoever calls it first (the pipeline after the sender
 * settled the batch, or the batcher when its downstream was cancelled before taking the batch).
 */
public final class DeliveryBatch {

    private final List<PendingRecord> records;
    private final long bytes;
    private final boolean deadLetter;
    private final AtomicBoolean released = new AtomicBoolean();

    public DeliveryBatch(List<PendingRecord> records, long bytes, boolean deadLetter) {
        this.records = records;
        this.bytes = bytes;
        this.deadLetter = deadLetter;
    }

    public static DeliveryBatch deadLetter(PendingRecord record) {
        return new DeliveryBatch(List.of(record), record.size(), true);
    }

    public List<PendingRecord> records() {
        return records;
    }

    public long bytes() {
        return bytes;
    }

    public boolean deadLetter() {
        return deadLetter;
    }

    public int size() {
        return records.size();
    }

    /** Gives this batch's bytes back to {@code budget}, the first time only. */
    public void release(InFlightBudget budget) {
        if (released.compareAndSet(false, true)) {
            budget.release(bytes);
        }
    }

    boolean isReleased() {
        return released.get();
    }
}
