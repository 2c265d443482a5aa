package io.firehosebridge.localfirehose.stream;

import java.util.function.LongSupplier;

/**
 * A quota: {@code ratePerSecond} tokens refill continuously up to one second's worth.
 * Thread-safe; the clock is injectable so tests can step time.
 */
public final class TokenBucket {

    private final double ratePerSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefill;

    public TokenBucket(double ratePerSecond, LongSupplier nanoTime) {
        this.ratePerSecond = ratePerSecond;
        this.capacity = ratePerSecond;
        this.nanoTime = nanoTime;
        this.tokens = capacity;
        this.lastRefill = nanoTime.getAsLong();
    }

    public static TokenBucket perSecond(double ratePerSecond) {
        return new TokenBucket(ratePerSecond, System::nanoTime);
    }

    /** Takes {@code amount} tokens if all are available; otherwise takes none. */
    public synchronized boolean tryTake(double amount) {
        refill();
        if (tokens >= amount) {
            tokens -= amount;
            return true;
        }
        return false;
    }

    /** Takes one record's worth from both buckets, or nothing if either is short. */
    public static boolean tryTakeBoth(TokenBucket records, TokenBucket bytes, long size) {
        synchronized (records) {
            synchronized (bytes) {
                records.refill();
                bytes.refill();
                if (records.tokens >= 1 && bytes.tokens >= size) {
                    records.tokens -= 1;
                    bytes.tokens -= size;
                    return true;
                }
                return false;
            }
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerSecond / 1_000_000_000d);
            lastRefill = now;
        }
    }
}
