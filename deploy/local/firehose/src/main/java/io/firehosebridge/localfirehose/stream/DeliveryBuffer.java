package io.firehosebridge.localfirehose.stream;

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

    /**
     * Takes the oldest records up to the size limit (at least one), as Firehose delivers a buffer's worth at a
     * time; what is left stays for the next delivery. A buffer that grew while delivery was slow then never
     * goes out as one bulk request of the whole backlog.
     */
    public synchronized List<BufferedRecord> drain() {
        long taken = 0;
        int n = 0;
        while (n < records.size() && (n == 0 || taken + records.get(n).data().length <= sizeLimitBytes)) {
            taken += records.get(n).data().length;
            n++;
        }
        List<BufferedRecord> out;
        if (n == records.size()) {
            out = records;
            records = new ArrayList<>();
        } else {
            out = new ArrayList<>(records.subList(0, n));
            records = new ArrayList<>(records.subList(n, records.size()));
        }
        bytes -= taken;
        oldestArrival = records.isEmpty() ? null : records.get(0).arrival();
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
