package io.firehosebridge.delivery.send;

import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * How many PutRecordBatch calls may be in flight, following latency, in the spirit of Vector's adaptive request concurrency:
 * additive increase, multiplicative decrease, judged once per window of about one round trip.
 *
 * <ul>
 * <li><b>Up by one</b> after a window in which calls filled the limit (more calls could have moved more records), none of
 * them waited for the send rate (then the rate, not the calls in flight, is what binds), and their mean latency held: at most the usual latency plus its usual deviation ({@link #DEVIATION_SCALE} times), and at most
 * {@link #TOLERANCE} above it.</li>
 * <li><b>Down</b> to {@code decreaseFactor} of the limit after a window with a throttled call, or with latency above that
 * bound (calls queue somewhere: more of them would only wait longer).</li>
 * <li>Never above the configured ceiling, nor above what Firehose's request quota allows at the current latency (calls in
 * flight / latency = requests per second).</li>
 * </ul>
 * The usual latency is a moving average of the windows' means, updated only by windows without throttling.
 */
public final class AdaptiveConcurrency {

    private static final double EWMA_ALPHA = 0.4;
    private static final double DEVIATION_SCALE = 2.5;
    private static final double TOLERANCE = 0.1;

    private final int ceiling;
    private final double requestsPerSecond;
    private final double decreaseFactor;
    private final LongSupplier clock;
    private final IntConsumer onChange;

    private int limit;
    private double pastRtt = -1;
    private double pastDeviation;
    private long windowStart;
    private double windowRttSum;
    private int windowCalls;
    private boolean windowThrottled;
    private boolean windowFull;
    private boolean windowRateBound;

    /**
     * @param initial calls allowed at first
     * @param ceiling calls never exceeded
     * @param requestsPerSecond Firehose's request quota of the stream
     * @param decreaseFactor share of the limit kept on throttling or rising latency, in (0, 1)
     * @param onChange told every new limit
     */
    public AdaptiveConcurrency(int initial, int ceiling, double requestsPerSecond, double decreaseFactor, LongSupplier clock,
            IntConsumer onChange) {
        this.ceiling = ceiling;
        this.requestsPerSecond = requestsPerSecond;
        this.decreaseFactor = decreaseFactor;
        this.clock = clock;
        this.onChange = onChange;
        this.limit = Math.max(1, Math.min(initial, ceiling));
        this.windowStart = clock.getAsLong();
    }

    /** A call starts with {@code inFlight} calls in flight (itself included). */
    public synchronized void started(int inFlight) {
        if (inFlight >= limit) {
            windowFull = true;
        }
    }

    /** A call waited for the send rate before it went out: this window's calls were bound by the rate, not by their number. */
    public synchronized void rateBound() {
        windowRateBound = true;
    }

    /** A call ended after {@code rttNanos}; {@code throttled} when Firehose refused any of it for throughput. */
    public void ended(long rttNanos, boolean throttled) {
        int changed;
        synchronized (this) {
            windowRttSum += rttNanos;
            windowCalls++;
            windowThrottled |= throttled;
            long now = clock.getAsLong();
            if (now - windowStart < Math.max(pastRtt, 0) && !throttled) {
                return;
            }
            changed = adjust(now);
        }
        if (changed > 0) {
            onChange.accept(changed);
        }
    }

    /** Called with the lock held at the end of a window; returns the new limit if it changed, else 0. */
    private int adjust(long now) {
        double rtt = windowRttSum / windowCalls;
        int before = limit;
        if (pastRtt < 0) {
            pastRtt = rtt;
        }
        boolean rising = rtt > pastRtt + Math.max(DEVIATION_SCALE * pastDeviation, 0) && rtt > pastRtt * (1 + TOLERANCE);
        if (windowThrottled || rising) {
            limit = Math.max(1, (int) Math.floor(limit * decreaseFactor));
        } else if (windowFull && !windowRateBound) {
            limit++;
        }
        limit = Math.min(limit, Math.min(ceiling, quotaLimit()));
        limit = Math.max(1, limit);
        if (!windowThrottled) {
            pastDeviation = (1 - EWMA_ALPHA) * pastDeviation + EWMA_ALPHA * Math.abs(rtt - pastRtt);
            pastRtt = (1 - EWMA_ALPHA) * pastRtt + EWMA_ALPHA * rtt;
        }
        windowStart = now;
        windowRttSum = 0;
        windowCalls = 0;
        windowThrottled = false;
        windowFull = false;
        windowRateBound = false;
        return limit == before ? 0 : limit;
    }

    /** Calls in flight that stay within the request quota at the usual latency (at least one). */
    private int quotaLimit() {
        double calls = requestsPerSecond * pastRtt / 1e9;
        return calls >= Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, (int) Math.ceil(calls));
    }

    /** Calls allowed in flight now. */
    public synchronized int limit() {
        return limit;
    }
}
