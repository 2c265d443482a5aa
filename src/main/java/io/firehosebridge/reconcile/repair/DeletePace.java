package io.firehosebridge.reconcile.repair;

import java.util.function.BooleanSupplier;

/**
 * Keeps the deletes of every repair in this replica at or below a rate: each bulk of {@code n} deletes
 * reserves {@code n / rate} seconds of a shared timeline and waits for its slot, so repairs running at
 * the same time share the rate rather than each taking all of it.
 */
final class DeletePace {

    private final double nanosPerDelete;
    private long next;

    DeletePace(int perSecond) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("bridge.reconcile.repair.max-deletes-per-second must be positive, not " + perSecond);
        }
        this.nanosPerDelete = 1e9 / perSecond;
        this.next = System.nanoTime();
    }

    /** Reserves a slot for {@code n} deletes; the nanoseconds to wait before sending them. */
    synchronized long reserve(int n, long now) {
        long start = Math.max(next, now);
        next = start + (long) (n * nanosPerDelete);
        return start - now;
    }

    /** Waits for the slot of {@code n} deletes; false when cancelled (checked every 100 ms) or interrupted meanwhile. */
    boolean await(int n, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            return false; // between two bulk deletes, even when the pace has no wait to ask
        }
        long until = System.nanoTime() + reserve(n, System.nanoTime());
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            if (cancelled.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
