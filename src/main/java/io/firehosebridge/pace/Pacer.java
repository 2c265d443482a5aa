package io.firehosebridge.pace;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Spaces work out at a rate on one shared timeline: each batch of {@code n} units reserves {@code n / rate} seconds of it
 * and waits for its slot, so everyone drawing on one pacer shares the rate rather than each taking all of it. After a
 * quiet spell, up to {@code burst} of unused time may be spent at once. The rate comes with each reservation, so a policy
 * can change it between two (delivery's adaptive send rate); a fixed rate is just the same number every time (the
 * repair's deletes).
 */
public final class Pacer {

    private static final long CHECK_EVERY_NANOS = Duration.ofMillis(100).toNanos();

    private final long burstNanos;
    private final LongSupplier nanoClock;
    private long next;

    /**
     * @param burst unused time a batch may draw on after a quiet spell ({@link Duration#ZERO}: none)
     * @param nanoClock the clock, in nanoseconds ({@code System::nanoTime})
     */
    public Pacer(Duration burst, LongSupplier nanoClock) {
        this.burstNanos = burst.toNanos();
        this.nanoClock = nanoClock;
        this.next = nanoClock.getAsLong();
    }

    /** Reserves the slot of {@code n} units at {@code perSecond} units a second; the nanoseconds to wait before doing them (0: now). */
    public synchronized long reserve(double n, double perSecond) {
        long now = nanoClock.getAsLong();
        long start = Math.max(next, now - burstNanos);
        next = start + (long) (n * 1e9 / perSecond);
        return Math.max(0, start - now);
    }

    /**
     * Reserves the slot of {@code n} units and waits for it on this thread; false when {@code cancelled} (asked before
     * reserving, even when there is no wait, and every 100 ms while waiting) or the thread is interrupted meanwhile.
     */
    public boolean await(double n, double perSecond, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            return false;
        }
        long until = nanoClock.getAsLong() + reserve(n, perSecond);
        long left;
        while ((left = until - nanoClock.getAsLong()) > 0) {
            if (cancelled.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(CHECK_EVERY_NANOS, left) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
