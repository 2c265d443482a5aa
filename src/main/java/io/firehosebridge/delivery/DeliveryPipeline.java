package io.firehosebridge.delivery;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.PollSplit;
import io.firehosebridge.delivery.batch.Settlement;
import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.delivery.send.InFlightLimit;
import io.firehosebridge.delivery.send.RetryPolicy;
import io.firehosebridge.delivery.settle.DeadLetterWriter;
import io.firehosebridge.delivery.settle.PollSettlement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
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
import io.firehosebridge.ingest.RecordBytes;
import io.firehosebridge.ingest.RecordEnricher;
import io.firehosebridge.ingest.RecordsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;
import io.firehosebridge.route.TopicRouting;
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

    @Inject
    Routes routes;

    private RecordEnricher enricher;
    private InFlightLimit limit;
    private DeliveryMetrics metrics;
    private DeadLetterWriter deadLetters;
    /** One lane per delivery stream, by the stream's name. */
    private Map<String, DeliveryLane> lanes;
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
        List<Route> streams = routes.streams();
        // One stream: its adaptive concurrency sets the pipeline's call slots. Several: each sets its own, within all of them.
        limit = new InFlightLimit(config.maxInFlightBytes(), streams.size() == 1 ? Math.min(INITIAL_CALLS, ceiling) : ceiling);
        RetryPolicy retry = new RetryPolicy(config.retryInitialBackoff(), config.retryMaxBackoff(), config.retryMaxDuration(),
                () -> ThreadLocalRandom.current().nextDouble());
        Map<String, DeliveryLane> byStream = new LinkedHashMap<>();
        for (Route route : streams) {
            OptionalDouble routeCeiling = routes.maxRecordsPerSecond(route);
            byStream.put(route.deliveryStream(), new DeliveryLane(route.deliveryStream(), config, limit, streams.size() == 1,
                    routeCeiling.isPresent() ? routeCeiling : config.maxRecordsPerSecond(), putRecordBatch, registry,
                    m -> new DeadLetterWriter(deadLetterSink, m, config.retryMaxDuration()), retry, observers));
        }
        lanes = Map.copyOf(byStream);
        DeliveryLane first = byStream.values().iterator().next();
        metrics = first.metrics;
        deadLetters = new DeadLetterWriter(deadLetterSink, metrics, config.retryMaxDuration());

        subscription = deliver(clicks.onItem().transform(this::validateAndEnrich), false)
                .subscribe().with(
                        ignored -> {
                        },
                        failure -> LOG.error("The delivery pipeline stopped; unacknowledged records will be consumed again", failure),
                        () -> LOG.info("The delivery pipeline completed"));
        LOG.infof("Delivering to Firehose stream%s %s: each poll as it comes (split at %d records / %d bytes per call), up to %d calls"
                + " (adaptive, %d at first) per stream and %d bytes in flight", lanes.size() == 1 ? "" : "s", String.join(", ", byStream.keySet()),
                config.maxBatchRecords(), config.maxBatchBytes(), ceiling, first.maxCalls(), config.maxInFlightBytes());
        if (routes.routed()) {
            LOG.infof("Routes: %s", String.join("; ", routes.describe()));
        }
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
        if (lanes.size() == 1 && !routes.routed()) {
            send(lanes.values().iterator().next(), toFirehose, lease, redriven, sends);
        } else {
            for (Map.Entry<Route, List<PendingRecord>> routed : byRoute(toFirehose).entrySet()) {
                if (routed.getKey().dropped()) {
                    drop(routed.getValue(), lease);
                } else {
                    send(lanes.get(routed.getKey().deliveryStream()), routed.getValue(), lease, redriven, sends);
                }
            }
        }
        if (sends.size() == 1) {
            return sends.get(0);
        }
        return sends.isEmpty() ? Uni.createFrom().item(0)
                : Uni.join().all(sends).andFailFast().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * A poll's records by route, in their order. A poll holds few topics, so a topic's routing is looked up once per run of
     * its records; only a topic routed by a field has each record's field read.
     */
    private Map<Route, List<PendingRecord>> byRoute(List<PendingRecord> records) {
        Map<Route, List<PendingRecord>> routed = new LinkedHashMap<>(4);
        String topic = null;
        TopicRouting routing = null;
        List<PendingRecord> into = null;
        for (PendingRecord r : records) {
            if (!r.at().topic().equals(topic)) {
                topic = r.at().topic();
                routing = routes.routing(topic);
                into = routing.byField() ? null : routed.computeIfAbsent(routing.fallback(), k -> new ArrayList<>());
            }
            (into != null ? into : routed.computeIfAbsent(route(routing, r), k -> new ArrayList<>())).add(r);
        }
        return routed;
    }

    /**
     * A record's route by its field, read from the value as consumed (an enriched record's head), so that the enriched bytes
     * are not written out for it: they are written once, into the request body.
     */
    private static Route route(TopicRouting routing, PendingRecord r) {
        RecordBytes payload = r.payload();
        byte[] head = payload.head();
        return head.length >= payload.headLength() && payload.headLength() > 0 ? routing.route(head, 0, payload.headLength())
                : routing.route(r.data());
    }

    private void send(DeliveryLane lane, List<PendingRecord> records, InFlightLimit.Lease lease, boolean redriven, List<Uni<Integer>> sends) {
        for (List<PendingRecord> call : PollSplit.calls(records, config.maxBatchRecords(), config.maxBatchBytes())) {
            sends.add(lane.send(call, PollSplit.bytes(call), lease, redriven, failure -> nackAll(call, failure)));
        }
    }

    /** Records no route takes, with bridge.routing.unmatched=drop: acknowledged without being sent, and counted. */
    private void drop(List<PendingRecord> records, InFlightLimit.Lease lease) {
        metrics.dropped(records.size());
        for (PendingRecord r : records) {
            r.settlement().ack();
        }
        lease.release(PollSplit.bytes(records), 0);
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
     * not valid click events are skipped (they were dead-lettered the first time), and so are records of a topic no route
     * takes now (dropped by the unmatched rule). Completes when every record is settled.
     */
    public Uni<RedriveResult> redrive(List<ConsumerRecord<byte[], byte[]>> records) {
        if (lanes == null) {
            return Uni.createFrom().failure(new IllegalStateException("the delivery pipeline is switched off (bridge.delivery.enabled=false)"));
        }
        List<PendingRecord> valid = pending(records, records.size(), Settlement.NONE, true).stream()
                .filter(r -> !r.isDeadLetter() && !route(routes.routing(r.at().topic()), r).dropped()).toList();
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
        lanes.values().forEach(DeliveryLane::stop);
        subscription.cancel();
    }

    /** What is in flight now, and at most so far; for tests and diagnostics. */
    public InFlightLimit inFlight() {
        return limit;
    }
}
