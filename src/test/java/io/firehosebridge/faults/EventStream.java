package io.firehosebridge.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.firehosebridge.testing.ClickProducer;

/** Produces {@code total} click events to a topic at about {@code perSecond} in the background (in ticks of 100 ms). */
final class EventStream {

    private final String topic;
    private final long total;
    private final int perSecond;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long produced;
    private Thread thread;

    EventStream(String topic, long total, int perSecond) {
        this.topic = topic;
        this.total = total;
        this.perSecond = perSecond;
    }

    EventStream start() {
        thread = new Thread(() -> {
            try (ClickProducer producer = new ClickProducer()) {
                long start = System.nanoTime();
                int tick = Math.max(1, perSecond / 10);
                for (long ticks = 0; produced < total && !stop.get(); ticks++) {
                    int n = (int) Math.min(tick, total - produced);
                    producer.backlog(topic, n, 0);
                    produced += n;
                    long wait = start + (ticks + 1) * 100_000_000L - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "faults-stream-" + topic);
        thread.start();
        return this;
    }

    /** Events the broker acknowledged so far. */
    long produced() {
        return produced;
    }

    /** Waits for the whole stream (at most 10 minutes) and checks that every event was produced. */
    void await() throws Exception {
        thread.join(Duration.ofMinutes(10).toMillis());
        if (failure.get() != null) {
            throw failure.get();
        }
        assertThat(produced).as("events produced to " + topic).isEqualTo(total);
    }

    void stop() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
    }
}
