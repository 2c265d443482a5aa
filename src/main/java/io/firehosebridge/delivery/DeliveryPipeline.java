package io.firehosebridge.delivery;

import io.firehosebridge.delivery.batch.DeliveryBatch;
import io.firehosebridge.delivery.batch.DeliveryBatcher;
import io.firehosebridge.delivery.batch.InFlightBudget;
import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.Settlement;
import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.delivery.send.AdaptiveRateLimiter;
import io.firehosebridge.delivery.send.FirehoseSender;
import io.firehosebridge.delivery.send.RetryPolicy;
import io.firehosebridge.delivery.settle.DeadLetterWriter;
import io.firehosebridge.delivery.settle.PollSettlement;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import java.util.ArrayList;
import java.util.List;

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
 * The data path, top to bottom: consume from Kafka → validate and enrich → batch → put to Firehose →
 * acknowledge. Offsets are committed by the Kafka connector's throttled strategy, which commits an
 * offset only once it and every offset before it in the partition have been acknowledged; this class
 * acknowledges a record only after Firehose accepted it or the dead-letter topic took it.
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
    private InFlightBudget budget;
    private DeliveryMetrics metrics;
    private DeliveryBatcher batcher;
    private ScheduledExecutorService timer;
    private Cancellable subscription;
    private FirehoseSender sender;

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("The delivery pipeline is switched off (bridge.delivery.enabled=false)");
            return;
        }
        DeliverySettings.validate(config, recordsConfig);
        MutinyEmitter<byte[]> deadLetterEmitter = deadLetterChannel.get();
        Multi<Message<List<byte[]>>> clicks = clicksChannel.get();
        enricher = new RecordEnricher(recordsConfig.metadataKey(), recordsConfig.maxDepth(), config.maxRecordBytes());
        budget = new InFlightBudget(config.maxInFlightBytes());
        AdaptiveRateLimiter rate = new AdaptiveRateLimiter(config.maxRecordsPerSecond().orElse(Double.POSITIVE_INFINITY), 10,
                config.rateDecreaseFactor(), config.rateIncreasePerSecond(), Duration.ofMillis(500), System::nanoTime);
        metrics = new DeliveryMetrics(registry, budget, rate::currentRate);
        RetryPolicy retry = new RetryPolicy(config.retryInitialBackoff(), config.retryMaxBackoff(), config.retryMaxDuration(),
                () -> ThreadLocalRandom.current().nextDouble());
        DeadLetterWriter deadLetters = new DeadLetterWriter(deadLetterEmitter::sendMessage, metrics, config.retryMaxDuration());
        sender = new FirehoseSender(putRecordBatch, config.deliveryStream(), retry, rate, deadLetters, metrics, observers.stream().toList());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "delivery-linger");
            t.setDaemon(true);
            return t;
        });

        subscription = clicks
                .onItem().transformToIterable(this::validateAndEnrich)
                .plug(records -> batcher = new DeliveryBatcher(records, config.maxBatchRecords(), config.maxBatchBytes(),
                        config.linger(), budget, timer))
                .onItem().transformToUni(batch -> sender.deliver(batch)
                        .onFailure().recoverWithUni(failure -> nackAll(batch, failure))
                        .eventually(() -> batch.release(budget)))
                .merge(config.maxInFlightCalls())
                .subscribe().with(
                        ignored -> {
                        },
                        failure -> LOG.error("The delivery pipeline stopped; unacknowledged records will be consumed again", failure),
                        () -> LOG.info("The delivery pipeline completed"));
        LOG.infof("Delivering to Firehose stream %s: up to %d records / %d bytes per call, %d calls and %d bytes in flight",
                config.deliveryStream(), config.maxBatchRecords(), config.maxBatchBytes(), config.maxInFlightCalls(),
                config.maxInFlightBytes());
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
        Settlement settlement = new PollSettlement(poll, records.count());
        List<PendingRecord> pending = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            KafkaCoordinates at = new KafkaCoordinates(record.topic(), record.partition(), record.offset(), record.timestamp());
            byte[] value = record.value();
            EnrichmentResult result = enricher.enrich(value, at);
            pending.add(result.isAccepted()
                    ? new PendingRecord(at, record.key(), result.record(), null, null, settlement)
                    : new PendingRecord(at, record.key(), value, result.reason(), result.detail(), settlement));
        }
        return pending;
    }

    /**
     * The sender settles every record itself; should it fail unexpectedly anyway, the batch's records
     * are nacked, which (failure strategy {@code fail}) stops the channel and marks the service not
     * ready: loud, and the records are consumed again after a restart, never skipped.
     */
    private Uni<Integer> nackAll(DeliveryBatch batch, Throwable failure) {
        LOG.errorf(failure, "Unexpected failure delivering a batch of %d records; nacking them", batch.size());
        for (PendingRecord r : batch.records()) {
            r.settlement().nack(failure);
        }
        return Uni.createFrom().item(0);
    }

    /**
     * Sends records read back from Kafka through the same validation, enrichment (marked re-driven),
     * batching, rate control and retries as the live stream. Completes when every record is settled.
     */
    public Uni<RedriveResult> redrive(List<ConsumerRecord<byte[], byte[]>> records) {
        if (sender == null) {
            return Uni.createFrom().failure(new IllegalStateException("the delivery pipeline is switched off (bridge.delivery.enabled=false)"));
        }
        List<PendingRecord> pending = new ArrayList<>(records.size());
        int invalid = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            KafkaCoordinates at = new KafkaCoordinates(r.topic(), r.partition(), r.offset(), r.timestamp());
            EnrichmentResult result = enricher.enrich(r.value(), at, true);
            if (!result.isAccepted()) {
                invalid++;
                continue;
            }
            pending.add(new PendingRecord(at, r.key(), result.record(), null, null, Settlement.NONE));
        }
        int skipped = invalid;
        // Re-driven batches take from the live stream's budget: together they never exceed the one in-flight bound.
        return Multi.createFrom().iterable(pending)
                .plug(p -> new DeliveryBatcher(p, config.maxBatchRecords(), config.maxBatchBytes(), config.linger(), budget, timer))
                .onItem().transformToUni(batch -> sender.deliver(batch, true).eventually(() -> batch.release(budget)))
                .merge(config.maxInFlightCalls())
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                .map(resent -> new RedriveResult(records.size(), resent, skipped, records.size() - skipped - resent));
    }

    /** Stops pulling from Kafka, lets in-flight batches finish within the grace period, then lets the connector commit and close. */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        if (batcher == null) {
            return;
        }
        batcher.stop();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while ((!batcher.isIdle() || budget.inFlight() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (budget.inFlight() > 0) {
            LOG.warnf("Shutdown grace of %s elapsed with %d bytes still in flight; those records were not acknowledged and will be consumed again",
                    config.shutdownGrace(), budget.inFlight());
        } else {
            LOG.info("All in-flight batches settled before shutdown");
        }
        subscription.cancel();
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Bytes in flight now and at most so far; for tests and diagnostics. */
    public InFlightBudget budget() {
        return budget;
    }
}
