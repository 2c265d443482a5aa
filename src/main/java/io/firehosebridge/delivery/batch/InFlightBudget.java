package io.firehosebridge.delivery.batch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes handed to Firehose and not yet settled (accepted or dead-lettered). The batcher
 * takes from it before emitting a batch and stops pulling from Kafka while it is exhausted; the
 * sender gives back when a batch settles, which wakes the batcher.
 */
public final class InFlightBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final java.util.List<Runnable> onRelease = new java.util.concurrent.CopyOnWriteArrayList<>();

    public InFlightBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        this.limit = limit;
    }

    /**
     * Takes {@code bytes} if they fit; a batch larger than the whole budget is let through only when
     * nothing else is in flight, so it cannot starve.
     */
    public boolean tryAcquire(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > limit && current > 0) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                peak.accumulateAndGet(current + bytes, Math::max);
                return true;
            }
        }
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
        onRelease.forEach(Runnable::run);
    }

    /** Bytes that may still be taken now. */
    public long available() {
        return limit - used.get();
    }

    public long inFlight() {
        return used.get();
    }

    public long peak() {
        return peak.get();
    }

    public long limit() {
        return limit;
    }

    /** Wakes the listener whenever bytes are given back (the live stream and a re-drive may share one budget); returns its removal. */
    Runnable onRelease(Runnable listener) {
        onRelease.add(listener);
        return () -> onRelease.remove(listener);
    }
}
