package io.firehosebridge.delivery.send;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The one retry policy of the delivery path: exponential backoff with full jitter, capped per
 * attempt, within a total retry time after which records are dead-lettered instead of retried.
 */
public final class RetryPolicy {

    private final long initialNanos;
    private final long maxNanos;
    private final Duration maxDuration;
    private final DoubleSupplier random;

    public RetryPolicy(Duration initialBackoff, Duration maxBackoff, Duration maxDuration, DoubleSupplier random) {
        this.initialNanos = initialBackoff.toNanos();
        this.maxNanos = maxBackoff.toNanos();
        this.maxDuration = maxDuration;
        this.random = random;
    }

    /** The delay before retry number {@code attempt} (1 for the first retry): uniform in [ceiling/2, ceiling]. */
    public Duration backoff(int attempt) {
        int exponent = Math.min(Math.max(attempt - 1, 0), 30);
        long ceiling = Math.min(maxNanos, initialNanos << exponent);
        if (ceiling <= 0 || ceiling > maxNanos) {
            ceiling = maxNanos;
        }
        // "Equal jitter": never less than half the ceiling, so retries do not collapse onto each other at 0.
        long half = ceiling / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    /** How long records may be retried in total before they are dead-lettered. */
    public Duration maxDuration() {
        return maxDuration;
    }
}
