package io.firehosebridge.delivery;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.delivery.send.AdaptiveConcurrency;
import io.firehosebridge.delivery.send.AdaptiveRateLimiter;
import io.firehosebridge.delivery.send.FirehoseSender;
import io.firehosebridge.delivery.send.InFlightLimit;
import io.firehosebridge.delivery.send.RetryPolicy;
import io.firehosebridge.delivery.settle.DeadLetterWriter;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * What Firehose enforces per delivery stream, kept per stream: the sender with its retries, the adaptive send rate, the
 * adaptive concurrency and the call slots it sets, and the stream's meters. A throttled stream lowers only its own rate and
 * calls. Every lane's calls also take from the pipeline's bound on bytes and calls in flight, so that together they stay
 * within it; the only lane of a service without routes uses the pipeline's call slots directly.
 */
final class DeliveryLane {

    final String stream;
    final FirehoseSender sender;
    final DeliveryMetrics metrics;
    private final AdaptiveConcurrency concurrency;
    /** This lane's call slots; the pipeline's own when the lane is the only one. */
    private final InFlightLimit calls;
    private final InFlightLimit.Lease callLease;
    private final InFlightLimit shared;

    /**
     * @param shared the pipeline's bound on bytes and calls in flight
     * @param only whether this is the pipeline's only lane (its concurrency then sets the shared call slots)
     * @param maxRecordsPerSecond the stream's ceiling on records/s, if any
     * @param deadLetters where records go that cannot be delivered, given this lane's meters
     */
    DeliveryLane(String stream, DeliveryConfig config, InFlightLimit shared, boolean only, OptionalDouble maxRecordsPerSecond,
            PutRecordBatchCall putRecordBatch, MeterRegistry registry, Function<DeliveryMetrics, DeadLetterWriter> deadLetters,
            RetryPolicy retry, List<DeliveryObserver> observers) {
        this.stream = stream;
        this.shared = shared;
        int ceiling = config.maxInFlightCalls();
        calls = only ? shared : new InFlightLimit(Long.MAX_VALUE, Math.min(DeliveryPipeline.INITIAL_CALLS, ceiling));
        callLease = only ? null : calls.lease();
        concurrency = new AdaptiveConcurrency(DeliveryPipeline.INITIAL_CALLS, ceiling, config.maxRequestsPerSecond(),
                DeliveryPipeline.CONCURRENCY_DECREASE, System::nanoTime, calls::maxCalls);
        AdaptiveRateLimiter rate = new AdaptiveRateLimiter(maxRecordsPerSecond.orElse(Double.POSITIVE_INFINITY), 10,
                config.rateDecreaseFactor(), config.rateIncreasePerSecond(), Duration.ofMillis(500), System::nanoTime);
        metrics = new DeliveryMetrics(registry, stream, shared::inFlightBytes, shared.maxBytes(), shared::peakBytes, concurrency::limit,
                rate::currentRate);
        sender = new FirehoseSender(putRecordBatch, stream, retry, rate, concurrency, deadLetters.apply(metrics), metrics, observers);
    }

    /**
     * Sends one call's records within a call slot of this lane, and of the pipeline, returning the call's bytes to the poll's
     * lease once every record is settled. A lane waiting for its own slots holds none of the pipeline's.
     */
    Uni<Integer> send(List<PendingRecord> call, long bytes, InFlightLimit.Lease poll, boolean redriven,
            Function<Throwable, Integer> onUnexpected) {
        if (callLease == null) {
            return poll.call(bytes, () -> start(call, redriven, onUnexpected));
        }
        return callLease.call(0, () -> poll.call(bytes, () -> start(call, redriven, onUnexpected)));
    }

    private Uni<Integer> start(List<PendingRecord> call, boolean redriven, Function<Throwable, Integer> onUnexpected) {
        concurrency.started(calls.inFlightCalls());
        return sender.deliver(call, redriven).onFailure().recoverWithItem(onUnexpected);
    }

    /** Calls allowed in flight now. */
    int maxCalls() {
        return calls.maxCalls();
    }

    void stop() {
        sender.stop();
    }
}
