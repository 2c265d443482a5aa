package io.firehosebridge.delivery.observe;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import io.firehosebridge.ingest.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The delivery path's meters, all under {@code bridge.}: one instance per delivery stream, whose meters of sending (delivered,
 * retried, throttled, calls, rate, latency) carry the stream's name as tag {@code stream}; the meters of the pipeline as a
 * whole (consumed, in flight, dead-lettered, dropped) are shared by every stream's instance.
 */
public final class DeliveryMetrics {

    private final Counter consumed;
    private final Counter delivered;
    private final Counter retried;
    private final Counter throttled;
    private final Counter dropped;
    private final Map<DeadLetterReason, Counter> deadLettered = new EnumMap<>(DeadLetterReason.class);
    private final DistributionSummary batchRecords;
    private final DistributionSummary batchBytes;
    private final Timer putLatency;
    private final AtomicInteger callsInFlight = new AtomicInteger();
    /** Held here: a gauge keeps only a weak reference to what it reads. */
    private final DoubleSupplier sendRate;
    private final LongSupplier inFlightBytes;
    private final LongSupplier peakBytes;
    private final IntSupplier callsLimit;

    /**
     * Registers the meters. What they read is given as suppliers, asked on every scrape, so that the meters need not know
     * the sender's types.
     *
     * @param stream the delivery stream whose sending this instance counts
     * @param inFlightBytes bytes handed to Firehose and not yet settled
     * @param inFlightLimit the configured bound on them
     * @param peakBytes most bytes in flight since start
     * @param callsLimit calls allowed in flight now (the adaptive concurrency)
     * @param sendRate the adaptive send rate in records/s (infinite while unlimited)
     */
    public DeliveryMetrics(MeterRegistry registry, String stream, LongSupplier inFlightBytes, long inFlightLimit, LongSupplier peakBytes,
            IntSupplier callsLimit, DoubleSupplier sendRate) {
        this.sendRate = sendRate;
        this.inFlightBytes = inFlightBytes;
        this.peakBytes = peakBytes;
        this.callsLimit = callsLimit;
        consumed = Counter.builder("bridge.records.consumed").description("Records read from Kafka").register(registry);
        delivered = Counter.builder("bridge.records.delivered").tag("stream", stream).description("Records Firehose accepted").register(registry);
        retried = Counter.builder("bridge.records.retried").tag("stream", stream).description("Records resent after a failed entry or call").register(registry);
        dropped = Counter.builder("bridge.records.dropped").description("Records of topics no route takes, dropped by bridge.routing.unmatched=drop")
                .register(registry);
        throttled = Counter.builder("bridge.records.throttled").tag("stream", stream).description("Entries Firehose refused for throughput (Slow down)").register(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettered.put(reason, Counter.builder("bridge.records.dead_lettered").tag("reason", reason.headerValue())
                    .description("Records written to the dead-letter topic").register(registry));
        }
        batchRecords = DistributionSummary.builder("bridge.batch.records").tag("stream", stream).description("Records per PutRecordBatch call").register(registry);
        batchBytes = DistributionSummary.builder("bridge.batch.bytes").tag("stream", stream).baseUnit("bytes").description("Bytes per PutRecordBatch call").register(registry);
        putLatency = Timer.builder("bridge.put.latency").tag("stream", stream).description("PutRecordBatch call latency").publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("bridge.inflight", inFlightBytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("Bytes handed to Firehose and not yet settled").register(registry);
        Gauge.builder("bridge.inflight.limit", () -> inFlightLimit).baseUnit("bytes")
                .description("Configured bound on in-flight bytes").register(registry);
        Gauge.builder("bridge.inflight.peak", peakBytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("Most bytes ever in flight since start").register(registry);
        Gauge.builder("bridge.inflight.calls", callsInFlight, AtomicInteger::get).tag("stream", stream).description("PutRecordBatch calls in flight").register(registry);
        Gauge.builder("bridge.inflight.calls.limit", callsLimit, IntSupplier::getAsInt).tag("stream", stream)
                .description("PutRecordBatch calls allowed in flight now (adaptive concurrency)").register(registry);
        Gauge.builder("bridge.send.rate", sendRate, r -> {
            double current = r.getAsDouble();
            return Double.isInfinite(current) ? -1 : current;
        }).tag("stream", stream).description("Adaptive send rate in records/s; -1 while unlimited").register(registry);
    }

    /** Records read from Kafka in one poll. */
    public void consumed(int records) {
        consumed.increment(records);
    }

    /** Records dropped by the unmatched rule (acknowledged, never sent). */
    public void dropped(int n) {
        dropped.increment(n);
    }

    /** Records Firehose accepted. */
    public void delivered(int n) {
        delivered.increment(n);
    }

    /** Records to be resent after a failed entry or call. */
    public void retried(int n) {
        retried.increment(n);
    }

    /** Entries Firehose refused for throughput. */
    public void throttled(int n) {
        throttled.increment(n);
    }

    /** One record written to the dead-letter topic for {@code reason}. */
    public void deadLettered(DeadLetterReason reason) {
        deadLettered.get(reason).increment();
    }

    /** A PutRecordBatch call of {@code records} records and {@code bytes} bytes is sent. */
    public void callStarted(int records, long bytes) {
        callsInFlight.incrementAndGet();
        batchRecords.record(records);
        batchBytes.record(bytes);
    }

    /** The call started at {@code startNanos} ({@link System#nanoTime}) ended, answered or failed. */
    public void callEnded(long startNanos) {
        callsInFlight.decrementAndGet();
        putLatency.record(Duration.ofNanos(System.nanoTime() - startNanos));
    }
}
