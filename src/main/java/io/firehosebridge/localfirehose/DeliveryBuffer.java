package io.firehosebridge.localfirehose;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A destination's buffer: it is due for delivery when it holds {@code sizeLimitBytes} (measured before
 * compression) or when its oldest record is {@code interval} old, whichever comes first. Thread-safe.
 */
public final class DeliveryBuffer {

    private final long sizeLimitBytes;
    private final Duration interval;
    private final Clock clock;
    private List<BufferedRecord> records = new ArrayList<>();
    private long bytes;
    private Instant oldestArrival;

    public DeliveryBuffer(long sizeLimitBytes, Duration interval, Clock clock) {
        this.sizeLimitBytes = sizeLimitBytes;
        this.interval = interval;
        this.clock = clock;
    }

    /** Adds a record; returns true if the buffer reached its size limit and should be delivered now. */
    public synchronized boolean add(BufferedRecord record) {
        if (records.isEmpty()) {
            oldestArrival = record.arrival();
        }
        records.add(record);
        bytes += record.data().length;
        return bytes >= sizeLimitBytes;
    }

    /** Whether the buffer should be delivered now: full, or its oldest record has waited the interval. */
    public synchronized boolean isDue() {
        if (records.isEmpty()) {
            return false;
        }
        return bytes >= sizeLimitBytes || !clock.instant().isBefore(oldestArrival.plus(interval));
    }

    /** Takes everything buffered so far, leaving the buffer empty. */
    public synchronized List<BufferedRecord> drain() {
        List<BufferedRecord> out = records;
        records = new ArrayList<>();
        bytes = 0;
        oldestArrival = null;
        return out;
    }

    /** Age of the oldest buffered record (zero when empty). */
    public synchronized Duration oldestAge() {
        return oldestArrival == null ? Duration.ZERO : Duration.between(oldestArrival, clock.instant());
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return records.size();
    }
}
