package io.firehosebridge.delivery.send;

import io.firehosebridge.pace.Pacer;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps the send rate near a delivery stream's quota instead of in a throttling storm.
 *
 * <p>Unlimited until Firehose first throttles. A throttled response (at most one per cool-down, since
 * concurrent calls report the same congestion) records what Firehose was accepting as the
 * <em>ceiling</em> and drops the rate just below it. Without throttling the rate climbs back to the
 * ceiling within about a second, then probes above it: slowly at first, so a stream at its quota sees
 * only small overshoots, and twice as fast for every further six seconds without throttling. It also
 * remembers the best rate Firehose accepted recently (halving over ten minutes): after five seconds
 * without throttling the ceiling goes back up to it, so the end of a throttling storm (a quota cut for
 * a while, then restored) is followed within seconds, not after a long probe from the storm's level.
 * Only a rate accepted over a clean window counts as the best: no throttling for two seconds (the
 * span of the accepted-rate estimate) and not in the first two seconds (a start-up burst, which a
 * token bucket lets through, is not a rate Firehose sustains; remembering one made the rate jump
 * back above the quota every five seconds). The records are spaced at that rate by a {@link Pacer}.
 */
public final class AdaptiveRateLimiter {

    private static final long PROBE_DOUBLING_NANOS = Duration.ofSeconds(6).toNanos();
    private static final double MAX_PROBE_PER_SECOND = 1.0;
    private static final long ADOPT_BEST_AFTER_NANOS = Duration.ofSeconds(5).toNanos();
    private static final double BEST_HALF_LIFE_SECONDS = 600;
    private static final long CLEAN_WINDOW_NANOS = Duration.ofSeconds(2).toNanos();

    private final double maxRate;
    private final double minRate;
    private final double decreaseFactor;
    private final double probePerSecond;
    private final long coolDownNanos;
    private final LongSupplier nanoClock;

    private double rate;
    private double ceiling;
    private double best;
    private boolean limited;
    private long lastDecrease;
    private long lastThrottled;
    private final long started;
    private long lastUpdate;
    private final Pacer pacer;

    /**
     * @param maxRate records/s never exceeded (a configured ceiling; {@code Double.POSITIVE_INFINITY} for none)
     * @param minRate records/s the rate never drops below
     * @param decreaseFactor share of the accepted rate to fall back to on throttling, in (0, 1)
     * @param probePerSecond share of the rate added per second when probing above the ceiling, at first
     * @param coolDown minimum time between two decreases
     */
    public AdaptiveRateLimiter(double maxRate, double minRate, double decreaseFactor, double probePerSecond, Duration coolDown,
            LongSupplier nanoClock) {
        this.maxRate = maxRate;
        this.minRate = minRate;
        this.decreaseFactor = decreaseFactor;
        this.probePerSecond = probePerSecond;
        this.coolDownNanos = coolDown.toNanos();
        this.nanoClock = nanoClock;
        this.limited = !Double.isInfinite(maxRate);
        this.rate = limited ? maxRate : 0;
        this.ceiling = rate;
        this.lastUpdate = nanoClock.getAsLong();
        this.lastDecrease = lastUpdate - coolDownNanos;
        this.lastThrottled = lastUpdate - CLEAN_WINDOW_NANOS;
        this.started = lastUpdate;
        this.pacer = new Pacer(Duration.ofMillis(200), nanoClock);
    }

    /** Reserves {@code records} and returns how long to wait before sending them. */
    public synchronized Duration reserve(int records) {
        long now = nanoClock.getAsLong();
        grow(now);
        if (!limited) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(pacer.reserve(records, rate));
    }

    /**
     * Feeds back one response: {@code accepted} records went through, {@code throttled} were refused
     * for throughput. {@code acceptedPerSecond} is what Firehose has recently been accepting: while it
     * throttles, that is the stream's quota.
     */
    public synchronized void onResponse(int accepted, int throttled, double acceptedPerSecond) {
        long now = nanoClock.getAsLong();
        grow(now);
        if (throttled > 0) {
            lastThrottled = now;
        } else if (now - lastThrottled >= CLEAN_WINDOW_NANOS && now - started >= CLEAN_WINDOW_NANOS) {
            best = Math.max(best, limited ? Math.min(rate, acceptedPerSecond) : acceptedPerSecond);
        }
        if (throttled == 0 || now - lastDecrease < coolDownNanos) {
            return;
        }
        lastDecrease = now;
        ceiling = Math.max(minRate, Math.min(limited ? rate : Double.POSITIVE_INFINITY, acceptedPerSecond));
        rate = Math.max(minRate, Math.min(maxRate, ceiling * decreaseFactor));
        limited = true;
    }

    private void grow(long now) {
        double seconds = (now - lastUpdate) / 1e9;
        lastUpdate = now;
        if (seconds > 0) {
            best *= Math.pow(0.5, seconds / BEST_HALF_LIFE_SECONDS);
        }
        if (!limited || rate >= maxRate || seconds <= 0) {
            return;
        }
        if (now - lastDecrease >= ADOPT_BEST_AFTER_NANOS && best > ceiling) {
            ceiling = best;
        }
        if (rate < ceiling * 0.995) {
            // Back to the ceiling quickly: half the gap closes every ~0.7 s.
            rate = rate + (ceiling - rate) * Math.min(1, seconds);
        } else {
            double doublings = (double) (now - lastDecrease) / PROBE_DOUBLING_NANOS;
            double probe = Math.min(MAX_PROBE_PER_SECOND, probePerSecond * Math.pow(2, Math.floor(doublings)));
            rate = rate * (1 + probe * seconds);
        }
        rate = Math.min(maxRate, rate);
    }

    /** Current records/s, or infinity while unlimited. */
    public synchronized double currentRate() {
        return limited ? rate : Double.POSITIVE_INFINITY;
    }
}
