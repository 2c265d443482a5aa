package io.firehosebridge.delivery;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.PollSplit;
import io.firehosebridge.delivery.batch.Settlement;
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
import io.firehosebridge.delivery.settle.PollSettlement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.firehosebridge.ingest.EnrichmentResult;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.ingest.RecordEnricher;
import io.firehosebridge.ingest.RecordsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;

/**
 * The data path, top to bottom: consume from Kafka → validate and enrich → split the poll only where Firehose's limits
 * require → put to Firehose → acknowledge. Offsets are committed by the Kafka connector's throttled strategy, which commits
 * an offset only once it and every offset before it in the partition have been acknowledged; this class acknowledges a
 * record only after Firehose accepted it or the dead-letter topic took it.
 */
@ApplicationScoped
public class DeliveryPipeline {

    private static final Logger LOG = Logger.getLogger(DeliveryPipeline.class);

    /** One message per Kafka poll (the channel runs in batch mode): per-record connector work is paid once per poll. */
    @Inject
    @Channel("clicks")
    Instance<Multi<Message<List<byte[]>>>> clicksChannel;

    @Inject
    @Channel("dead-letters")
    Instance<MutinyEmitter<byte[]>> deadLetterChannel;

    @Inject
    PutRecordBatchCall putRecordBatch;

    @Inject
    DeliveryConfig config;

    @Inject
    RecordsConfig recordsConfig;

    @Inject
    MeterRegistry registry;

    @Inject
    Instance<DeliveryObserver> observers;

    private RecordEnricher enricher;
    private InFlightLimit limit;
    private AdaptiveConcurrency concurrency;
    private DeliveryMetrics metrics;
    private DeadLetterWriter deadLetters;
    private FirehoseSender sender;
    private Cancellable subscription;
    private volatile boolean stopping;

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("The delivery pipeline is switched off (bridge.delivery.enabled=false)");
            return;
        }
        DeliverySettings.validate(config, recordsConfig);
        MutinyEmitter<byte[]> deadLetterEmitter = deadLetterChannel.get();
        start(clicksChannel.get(), deadLetterEmitter::sendMessage, observers.stream().toList());
    }

    /** Builds the parts and subscribes to {@code clicks}; the seam unit tests start the pipeline through. */
    void start(Multi<Message<List<byte[]>>> clicks, DeadLetterWriter.Sink deadLetterSink, List<DeliveryObserver> observers) {
        enricher = new RecordEnricher(recordsConfig.metadataKey(), recordsConfig.maxDepth(), config.maxRecordBytes());
        int ceiling = config.maxInFlightCalls();
        limit = new InFlightLimit(config.maxInFlightBytes(), Math.min(INITIAL_CALLS, ceiling));
        concurrency = new AdaptiveConcurrency(INITIAL_CALLS, ceiling, config.maxRequestsPerSecond(), CONCURRENCY_DECREASE,
                System::nanoTime, limit::maxCalls);
        AdaptiveRateLimiter rate = new AdaptiveRateLimiter(config.maxRecordsPerSecond().orElse(Double.POSITIVE_INFINITY), 10,
                config.rateDecreaseFactor(), config.rateIncreasePerSecond(), Duration.ofMillis(500), System::nanoTime);
        metrics = new DeliveryMetrics(registry, limit::inFlightBytes, limit.maxBytes(), limit::peakBytes, concurrency::limit, rate::currentRate);
        RetryPolicy retry = new RetryPolicy(config.retryInitialBackoff(), config.retryMaxBackoff(), config.retryMaxDuration(),
                () -> ThreadLocalRandom.current().nextDouble());
        deadLetters = new DeadLetterWriter(deadLetterSink, metrics, config.retryMaxDuration());
        sender = new FirehoseSender(putRecordBatch, config.deliveryStream(), retry, rate, concurrency, deadLetters, metrics,
                observers);

        subscription = deliver(clicks.onItem().transform(this::validateAndEnrich), false)
                .subscribe().with(
                        ignored -> {
                        },
                        failure -> LOG.error("The delivery pipeline stopped; unacknowledged records will be consumed again", failure),
                        () -> LOG.info("The delivery pipeline completed"));
        LOG.infof("Delivering to Firehose stream %s: each poll as it comes (split at %d records / %d bytes per call), up to %d calls"
                + " (adaptive, %d at first) and %d bytes in flight", config.deliveryStream(), config.maxBatchRecords(),
                config.maxBatchBytes(), ceiling, limit.maxCalls(), config.maxInFlightBytes());
    }

    /** Calls allowed in flight at first; the adaptive concurrency takes it from there. */
    static final int INITIAL_CALLS = 8;
    /** Share of the calls in flight kept when Firehose throttles or latency rises (Vector's default decrease ratio). */
    static final double CONCURRENCY_DECREASE = 0.9;

    /**
     * The one assembly of the live stream and of every re-drive: each poll takes its bytes from the in-flight bound before
     * the next one is pulled (so memory follows the bound, and the connector pauses the consumer at it), its dead letters
     * leave for the dead-letter topic, and its records go to Firehose as one call or, past a limit, a few, each within a
     * call slot of the adaptive concurrency. The stream's lease gives back whatever it still holds when the stream ends,
     * is failed or is cancelled.
     */
    private Multi<Integer> deliver(Multi<List<PendingRecord>> polls, boolean redriven) {
        return Multi.createFrom().deferred(() -> {
            InFlightLimit.Lease lease = limit.lease();
            return polls
                    .onItem().transformToUniAndConcatenate(poll -> stopping && !redriven
                            ? Uni.createFrom().<List<PendingRecord>> nothing() // shutting down: pull no more, settle what is in flight
                            : lease.bytes(PollSplit.bytes(poll)).replaceWith(poll))
                    .onItem().transformToUni(poll -> deliverPoll(poll, lease, redriven)).merge(config.maxInFlightCalls())
                    .onTermination().invoke(lease::close);
        });
    }

    private Uni<Integer> deliverPoll(List<PendingRecord> poll, InFlightLimit.Lease lease, boolean redriven) {
        List<PendingRecord> toFirehose = poll;
        List<Uni<Integer>> sends = new ArrayList<>(2);
        if (poll.stream().anyMatch(PendingRecord::isDeadLetter)) {
            toFirehose = poll.stream().filter(r -> !r.isDeadLetter()).toList();
            List<PendingRecord> rejected = poll.stream().filter(PendingRecord::isDeadLetter).toList();
            sends.add(Multi.createFrom().iterable(rejected)
                    .onItem().transformToUniAndConcatenate(r -> deadLetters.write(r, r.reason(), r.detail(), r.data()))
                    .collect().last().replaceWith(0)
                    .eventually(() -> lease.release(PollSplit.bytes(rejected), 0)));
        }
        for (List<PendingRecord> call : PollSplit.calls(toFirehose, config.maxBatchRecords(), config.maxBatchBytes())) {
            sends.add(lease.call(PollSplit.bytes(call), () -> {
                concurrency.started(limit.inFlightCalls());
                return sender.deliver(call, redriven).onFailure().recoverWithItem(failure -> nackAll(call, failure));
            }));
        }
        if (sends.size() == 1) {
            return sends.get(0);
        }
        return sends.isEmpty() ? Uni.createFrom().item(0)
                : Uni.join().all(sends).andFailFast().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * Turns one poll into its records, each validated and enriched (or marked for the dead-letter topic), sharing the poll's
     * settlement. Values arrive as arrays: the connector wraps every deserializer in one that takes arrays, so a
     * deserializer returning views of the fetch buffer would still be handed a copy.
     */
    @SuppressWarnings("unchecked")
    private List<PendingRecord> validateAndEnrich(Message<List<byte[]>> poll) {
        ConsumerRecords<byte[], byte[]> records = poll.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(m -> (ConsumerRecords<byte[], byte[]>) m.getRecords())
                .orElseThrow(() -> new IllegalStateException("channel 'clicks' must use the smallrye-kafka connector in batch mode"));
        if (records.isEmpty()) {
            poll.ack();
            return List.of();
        }
        metrics.consumed(records.count());
        return pending(records, records.count(), new PollSettlement(poll, records.count()), false);
    }

    /** Records validated and enriched (a re-driven one marked so), each settled through {@code settlement}; dead letters marked. */
    private List<PendingRecord> pending(Iterable<ConsumerRecord<byte[], byte[]>> records, int count, Settlement settlement,
            boolean redriven) {
        List<PendingRecord> pending = new ArrayList<>(count);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            KafkaCoordinates at = new KafkaCoordinates(record.topic(), record.partition(), record.offset(), record.timestamp());
            byte[] value = record.value();
            EnrichmentResult result = enricher.enrich(value, at, redriven);
            pending.add(result.isAccepted()
                    ? new PendingRecord(at, record.key(), result.record(), null, null, settlement)
                    : new PendingRecord(at, record.key(), value, result.reason(), result.detail(), settlement));
        }
        return pending;
    }

    /**
     * The sender settles every record itself; should it fail unexpectedly anyway, the call's records are nacked, which
     * (failure strategy {@code fail}) stops the channel and marks the service not ready: loud, and the records are consumed
     * again after a restart, never skipped.
     */
    private int nackAll(List<PendingRecord> call, Throwable failure) {
        LOG.errorf(failure, "Unexpected failure delivering a call of %d records; nacking them", call.size());
        for (PendingRecord r : call) {
            r.settlement().nack(failure);
        }
        return 0;
    }

    /**
     * Sends records read back from Kafka through the same validation, enrichment (marked re-driven), in-flight bound,
     * concurrency, rate control and retries as the live stream, in polls of at most one call's records. Records that are
     * not valid click events are skipped (they were dead-lettered the first time). Completes when every record is settled.
     */
    public Uni<RedriveResult> redrive(List<ConsumerRecord<byte[], byte[]>> records) {
        if (sender == null) {
            return Uni.createFrom().failure(new IllegalStateException("the delivery pipeline is switched off (bridge.delivery.enabled=false)"));
        }
        List<PendingRecord> valid = pending(records, records.size(), Settlement.NONE, true).stream().filter(r -> !r.isDeadLetter()).toList();
        int skipped = records.size() - valid.size();
        // Re-driven calls take from the live stream's bound: together they never exceed it.
        return deliver(Multi.createFrom().iterable(valid).group().intoLists().of(config.maxBatchRecords()), true)
                .collect().with(Collectors.summingInt(Integer::intValue))
                .map(resent -> new RedriveResult(records.size(), resent, skipped, records.size() - skipped - resent));
    }

    /** Stops pulling from Kafka, lets in-flight calls finish within the grace period, then lets the connector commit and close. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        if (subscription == null) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while ((limit.inFlightBytes() > 0 || limit.inFlightCalls() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (limit.inFlightBytes() > 0) {
            LOG.warnf("Shutdown grace of %s elapsed with %d bytes still in flight; those records were not acknowledged and will be consumed again",
                    config.shutdownGrace(), limit.inFlightBytes());
        } else {
            LOG.info("All in-flight calls settled before shutdown");
        }
        // No retry or rate-gate wait scheduled before this point may run after the application stopped.
        sender.stop();
        subscription.cancel();
    }

    /** What is in flight now, and at most so far; for tests and diagnostics. */
    public InFlightLimit inFlight() {
        return limit;
    }
}
