package io.firehosebridge.delivery;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps the send rate near a delivery stream's quota instead of in a throttling storm (AIMD).
 * Unlimited until Firehose first throttles; then each throttled response cuts the rate by a factor
 * (at most once per cool-down, since concurrent calls report the same congestion), and every
 * clean second adds back a small share of the rate, probing for headroom.
 */
public final class AdaptiveRateLimiter {

    private final double maxRate;
    private final double minRate;
    private final double decreaseFactor;
    private final double increasePerSecond;
    private final long coolDownNanos;
    private final long burstNanos;
    private final LongSupplier nanoClock;

    private double rate;
    private boolean limited;
    private long lastDecrease = Long.MIN_VALUE / 2;
    private long lastUpdate;
    private long nextFree;

    /**
     * @param maxRate records/s never exceeded (a configured ceiling; {@code Double.POSITIVE_INFINITY} for none)
     * @param minRate records/s the rate never drops below
     * @param decreaseFactor multiplier applied on throttling, in (0, 1)
     * @param increaseShare share of the current rate added per second without throttling, e.g. 0.02
     * @param coolDown minimum time between two decreases
     */
    public AdaptiveRateLimiter(double maxRate, double minRate, double decreaseFactor, double increaseShare, Duration coolDown,
            LongSupplier nanoClock) {
        this.maxRate = maxRate;
        this.minRate = minRate;
        this.decreaseFactor = decreaseFactor;
        this.increasePerSecond = increaseShare;
        this.coolDownNanos = coolDown.toNanos();
        this.burstNanos = Duration.ofMillis(200).toNanos();
        this.nanoClock = nanoClock;
        this.limited = !Double.isInfinite(maxRate);
        this.rate = limited ? maxRate : 0;
        this.lastUpdate = nanoClock.getAsLong();
        this.nextFree = lastUpdate;
    }

    /** Reserves {@code records} and returns how long to wait before sending them. */
    public synchronized Duration reserve(int records) {
        long now = nanoClock.getAsLong();
        grow(now);
        if (!limited) {
            return Duration.ZERO;
        }
        long start = Math.max(nextFree, now - burstNanos);
        nextFree = start + (long) (records * 1e9 / rate);
        return start > now ? Duration.ofNanos(start - now) : Duration.ZERO;
    }

    /**
     * Feeds back one response: {@code accepted} records went through, {@code throttled} were refused
     * for throughput. {@code acceptedPerSecond} is what Firehose has recently been accepting: while it
     * throttles, that is the stream's quota, so the new rate starts just below it rather than below an
     * arbitrary current rate.
     */
    public synchronized void onResponse(int accepted, int throttled, double acceptedPerSecond) {
        long now = nanoClock.getAsLong();
        grow(now);
        if (throttled == 0) {
            return;
        }
        if (now - lastDecrease < coolDownNanos) {
            return;
        }
        lastDecrease = now;
        double base = Math.max(minRate, Math.min(limited ? rate : Double.POSITIVE_INFINITY, acceptedPerSecond));
        rate = Math.max(minRate, Math.min(maxRate, base * decreaseFactor));
        limited = true;
    }

    private void grow(long now) {
        if (limited && rate < maxRate) {
            double seconds = (now - lastUpdate) / 1e9;
            rate = Math.min(maxRate, rate * (1 + increasePerSecond * seconds));
        }
        lastUpdate = now;
    }

    /** Current records/s, or infinity while unlimited. */
    public synchronized double currentRate() {
        return limited ? rate : Double.POSITIVE_INFINITY;
    }
}
