package io.firehosebridge.background;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long background work waits before trying again after a failure: exponential from {@code first}, capped at
 * {@code max}, with "equal jitter" (uniform in [ceiling/2, ceiling]), so replicas that failed together do not retry
 * together, and no retry follows its failure at once. Used by every background retry outside the delivery path: the
 * readers of the compacted topics, the renewal of their producers, the index template's installation.
 * <p>
 * The delivery path has its own {@code delivery.send.RetryPolicy}, the same curve per Firehose entry plus a total
 * retry time after which records are dead-lettered; that is a different concern (what happens to records) and stays
 * with delivery.
 *
 * @param first the ceiling of the first retry's wait
 * @param max the ceiling no wait exceeds
 */
public record Backoff(Duration first, Duration max) {

    /** Readers and producers of Kafka: the first retry within half a second, none waiting longer than 5 s. */
    public static final Backoff KAFKA = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));

    public Backoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("A backoff needs 0 < first <= max, not " + first + " and " + max);
        }
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt) {
        return delay(attempt, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@link #delay(int)} with the jitter drawn from {@code random} (uniform in [0, 1)). */
    public Duration delay(int attempt, DoubleSupplier random) {
        long ceiling = ceiling(attempt).toNanos();
        long half = ceiling / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    /** The longest wait before retry number {@code attempt}. */
    public Duration ceiling(int attempt) {
        int exponent = Math.min(Math.max(attempt - 1, 0), 40);
        long maxNanos = max.toNanos();
        long firstNanos = first.toNanos();
        // first << exponent, without overflowing past the cap.
        return Duration.ofNanos(firstNanos > maxNanos >> exponent ? maxNanos : Math.min(maxNanos, firstNanos << exponent));
    }
}
