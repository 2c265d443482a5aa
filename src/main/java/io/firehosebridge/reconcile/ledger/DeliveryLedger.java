package io.firehosebridge.reconcile.ledger;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.scan.DeliveryHistory;
import io.firehosebridge.reconcile.scan.OffsetRange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.kafka.KafkaClients;
import io.firehosebridge.kafka.KafkaConnection;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The delivery ledger: every span of offsets Firehose accepted, with its send time, kept in a compacted
 * Kafka topic so it survives restarts and rebalances and is shared by every instance of the consumer
 * group. The delivery path only appends runs to memory ({@link LedgerSpans}); a timer merges and writes
 * them. Every instance reads the whole topic back into an index, which the verifier and the API use.
 */
@ApplicationScoped
public class DeliveryLedger implements DeliveryObserver, DeliveryHistory {

    private static final Logger LOG = Logger.getLogger(DeliveryLedger.class);
    private static final Comparator<LedgerEntry> SPAN_ORDER = Comparator.comparingLong(LedgerEntry::first)
            .thenComparing(LedgerEntry::sentAt).thenComparing(LedgerEntry::redriven);

    @Inject
    ReconcileConfig config;

    @Inject
    DeliveryConfig delivery;

    @Inject
    ObjectMapper json;

    @Inject
    KafkaClients clients;

    private final LedgerSpans spans = new LedgerSpans();
    private final Map<TopicPartition, NavigableMap<LedgerEntry, LedgerEntry>> index = new ConcurrentHashMap<>();
    /**
     * Key prefix of a partition's sweep mark: the offset below which the verifier has swept the committed offsets no span
     * covers. No topic name holds a colon, so no span key starts with it. Its value is the offset as plain text, which a
     * ledger reader of an earlier version skips as unreadable.
     */
    private static final String SWEPT = "swept:";
    private final Map<TopicPartition, Long> swept = new ConcurrentHashMap<>();
    private volatile boolean running;
    /** Whether the reader has read the topic to its end since it last started reading it from the beginning. */
    private volatile boolean current;
    private ScheduledExecutorService flusher;
    private volatile KafkaProducer<String, String> producer;
    /** Set when a write failed because Kafka refused or could not be reached: the producer may be in a fatal state. */
    private volatile boolean producerFailed;
    /** Entries whose write failed that way, written again by a fresh producer. */
    private final java.util.Queue<LedgerEntry> unwritten = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private KafkaConsumer<String, String> consumer;
    private Thread reader;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private String lastReadFailure;

    void start(@Observes StartupEvent event) {
        if (!config.ledger().enabled() || !delivery.enabled()) {
            return;
        }
        running = true;
        producer = newProducer();
        flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-flush");
            t.setDaemon(true);
            return t;
        });
        long every = config.ledger().flushInterval().toMillis();
        flusher.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
        reader = new Thread(this::readLoop, "ledger-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Whether the ledger records and reads spans in this instance. */
    public boolean enabled() {
        return running;
    }

    @Override
    public void accepted(List<KafkaCoordinates> records, Instant sentAt, boolean redriven) {
        if (running) {
            spans.accepted(records, sentAt, redriven);
        }
    }

    private KafkaProducer<String, String> newProducer() {
        return clients.producer(Map.of("acks", "all", "linger.ms", 20,
                "enable.idempotence", "true", "client.id", "delivery-ledger-writer"), new StringSerializer(), new StringSerializer());
    }

    /** Writes the spans collected since the last flush. */
    void flush() {
        try {
            if (producerFailed) {
                // An idempotent producer that once failed to log in stays failed: start a new one.
                producerFailed = false;
                KafkaProducer<String, String> old = producer;
                producer = newProducer();
                old.close(Duration.ZERO);
            }
            for (LedgerEntry entry; (entry = unwritten.poll()) != null;) {
                write(entry);
            }
            for (LedgerEntry entry : spans.drain()) {
                write(entry);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Cannot write delivery ledger spans to %s (%s); they are lost from the ledger", config.ledger().topic(), e.getMessage());
        }
    }

    /** Writes an entry (a new span or a verdict) to the ledger topic; the index learns it when it is read back. */
    void write(LedgerEntry entry) {
        try {
            KafkaProducer<String, String> through = producer;
            through.send(new ProducerRecord<>(config.ledger().topic(), entry.key(), json.writeValueAsString(entry)), (m, e) -> {
                if (e != null && through != producer) {
                    // Still pending in a producer replaced after a refused login.
                    unwritten.add(entry);
                } else if (e != null && KafkaConnection.isConnectionFailure(e)) {
                    // KafkaConnection names the cause once; the entry is written again by a fresh producer.
                    LOG.debugf("Ledger write of %s failed: %s; written again later", entry.key(), e.getMessage());
                    unwritten.add(entry);
                    producerFailed = true;
                } else if (e != null) {
                    LOG.warnf("Ledger write of %s failed: %s", entry.key(), e.getMessage());
                }
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Visible at once in this instance; the read-back replaces it with the same value.
        remember(entry);
    }

    private void readLoop() {
        while (running) {
            try {
                ensureTopic();
                consumer = clients.consumer(Map.of("enable.auto.commit", "false",
                        "client.id", "delivery-ledger-reader"), new StringDeserializer(), new StringDeserializer());
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(config.ledger().topic(), Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                // Until the end: a sweep mark read now may be one that a later record of the same key replaces.
                current = false;
                boolean loaded = false;
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.value() == null) {
                            continue;
                        }
                        try {
                            if (r.key() != null && r.key().startsWith(SWEPT)) {
                                rememberSwept(r.key(), r.value());
                            } else {
                                remember(json.readValue(r.value(), LedgerEntry.class));
                            }
                        } catch (java.io.IOException | RuntimeException e) {
                            LOG.debugf("Skipping unreadable ledger record %s", r.key());
                        }
                    }
                    if (!loaded && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        loaded = true;
                        lastReadFailure = null;
                        current = true;
                        caughtUp.countDown();
                        LOG.infof("Delivery ledger %s loaded: %d spans in memory", config.ledger().topic(), size());
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                // Once per cause: a broker that refuses the login would otherwise repeat it every 5 s.
                if (KafkaConnection.isConnectionFailure(e)) {
                    // KafkaConnection names the cause once and holds readiness DOWN.
                    LOG.debugf("Delivery ledger reader: %s; retrying every 5 s", e.getMessage());
                } else if (!java.util.Objects.equals(e.getMessage(), lastReadFailure)) {
                    LOG.warnf("Delivery ledger reader: %s; retrying every 5 s", e.getMessage());
                    lastReadFailure = e.getMessage();
                }
                sleep(Duration.ofSeconds(5));
            } finally {
                if (consumer != null) {
                    consumer.close(Duration.ofSeconds(2));
                    consumer = null;
                }
            }
        }
    }

    private void ensureTopic() {
        try (Admin admin = clients.admin()) {
            NewTopic topic = new NewTopic(config.ledger().topic(), java.util.Optional.of(config.ledger().topicPartitions()),
                    config.ledger().topicReplicationFactor()).configs(Map.of(
                            "cleanup.policy", "compact,delete",
                            "retention.ms", Long.toString(config.ledger().retention().toMillis())));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.infof("Created the delivery ledger topic %s", config.ledger().topic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create ledger topic: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating the ledger topic timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Keeps the latest state of a span. The map's key is the span's identity; its value the latest state (a put keeps the old key). */
    private void remember(LedgerEntry entry) {
        index.computeIfAbsent(new TopicPartition(entry.topic(), entry.partition()), k -> new ConcurrentSkipListMap<>(SPAN_ORDER))
                .put(entry, entry);
    }

    private void rememberSwept(String key, String value) {
        int slash = key.lastIndexOf('/');
        swept.put(new TopicPartition(key.substring(SWEPT.length(), slash), Integer.parseInt(key.substring(slash + 1))), Long.parseLong(value));
    }

    private static String sweptKey(TopicPartition tp) {
        return SWEPT + tp.topic() + "/" + tp.partition();
    }

    /** The partition's sweep mark (see {@link LedgerVerifier}), or -1 when none was written. */
    long sweptTo(TopicPartition tp) {
        return swept.getOrDefault(tp, -1L);
    }

    /** Records the partition's sweep mark, here at once and for every replica through the topic. */
    void markSwept(TopicPartition tp, long offset) {
        producer.send(new ProducerRecord<>(config.ledger().topic(), sweptKey(tp), Long.toString(offset)), (m, e) -> {
            if (e != null) {
                LOG.debugf("Sweep mark of %s not written (%s); written again at the next sweep", tp, e.getMessage());
            }
        });
        swept.put(tp, offset);
    }

    /** The offsets of {@code [from, to)} that no span in memory covers, as inclusive ranges in offset order. */
    List<long[]> uncovered(TopicPartition tp, long from, long to) {
        List<long[]> holes = new ArrayList<>();
        long next = from;
        NavigableMap<LedgerEntry, LedgerEntry> spans = index.get(tp);
        if (spans != null) {
            // Spans are short: none that starts this far before the range reaches into it (as in overlapping()).
            LedgerEntry lower = new LedgerEntry(tp.topic(), tp.partition(), from - config.ledger().maxOffsetsPerCheck(), 0, Instant.MIN, false,
                    null, null, 0, 0, 0);
            for (LedgerEntry e : spans.tailMap(lower, true).values()) {
                if (e.first() >= to) {
                    break;
                }
                if (e.first() > next) {
                    holes.add(new long[] { next, e.first() - 1 });
                }
                next = Math.max(next, e.last() + 1);
            }
        }
        if (next < to) {
            holes.add(new long[] { next, to - 1 });
        }
        return holes;
    }

    /** Waits until the topic has been read to its end once (for tests and the verifier's first run). */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the topic has been read to its end since the reader last (re)started from its beginning. */
    boolean current() {
        return current;
    }

    /** The first offset of the partition's earliest span in memory, or -1 when none. */
    long firstSpanOffset(TopicPartition tp) {
        NavigableMap<LedgerEntry, LedgerEntry> spans = index.get(tp);
        return spans == null || spans.isEmpty() ? -1 : spans.firstKey().first();
    }

    /** Spans in memory. */
    public int size() {
        return index.values().stream().mapToInt(Map::size).sum();
    }

    /** When the span holding this offset was first sent, or null when the ledger does not know it. */
    @Override
    public Instant sentAt(String topic, int partition, long offset) {
        Instant found = null;
        for (LedgerEntry e : overlapping(topic, partition, offset, offset + 1)) {
            if (found == null || e.sentAt().isBefore(found)) {
                found = e.sentAt();
            }
        }
        return found;
    }

    /** Spans overlapping {@code [from, to)} that the verifier found complete in search and the backup at some check. */
    @Override
    public List<OffsetRange> confirmed(String topic, int partition, long from, long to) {
        return overlapping(topic, partition, from, to).stream().filter(e -> e.status() == LedgerEntry.Status.CONFIRMED)
                .map(e -> new OffsetRange(e.first(), e.last())).toList();
    }

    /** The latest send time of spans overlapping {@code [from, to)}, or null. */
    @Override
    public Instant latestSent(String topic, int partition, long from, long to) {
        Instant found = null;
        for (LedgerEntry e : overlapping(topic, partition, from, to)) {
            if (found == null || e.sentAt().isAfter(found)) {
                found = e.sentAt();
            }
        }
        return found;
    }

    private List<LedgerEntry> overlapping(String topic, int partition, long from, long to) {
        NavigableMap<LedgerEntry, LedgerEntry> spans = index.get(new TopicPartition(topic, partition));
        if (spans == null) {
            return List.of();
        }
        List<LedgerEntry> out = new ArrayList<>();
        LedgerEntry upper = new LedgerEntry(topic, partition, to, to, Instant.MIN, false, null, null, 0, 0, 0);
        for (LedgerEntry e : spans.headMap(upper, false).descendingMap().values()) {
            if (e.last() >= from) {
                out.add(e);
            }
            if (out.size() > 10_000) {
                break;
            }
            if (e.first() < from - config.ledger().maxOffsetsPerCheck()) {
                break; // spans are short; nothing this far back reaches the range
            }
        }
        return out;
    }

    /** Every span in memory, per partition in offset order. */
    public void forEach(Consumer<LedgerEntry> action) {
        index.values().forEach(m -> m.values().forEach(action));
    }

    /** Spans of a topic (optionally one partition) sent at or after {@code since}, in offset order; at most {@code limit}. */
    public List<LedgerEntry> list(String topic, Integer partition, Instant since, int limit) {
        List<LedgerEntry> out = new ArrayList<>();
        index.entrySet().stream()
                .filter(e -> topic == null || e.getKey().topic().equals(topic))
                .filter(e -> partition == null || e.getKey().partition() == partition)
                .sorted(Comparator.comparing((Map.Entry<TopicPartition, ?> e) -> e.getKey().topic())
                        .thenComparingInt(e -> e.getKey().partition()))
                .forEach(e -> {
                    for (LedgerEntry entry : e.getValue().values()) {
                        if (out.size() > limit) {
                            return;
                        }
                        if (since == null || !entry.sentAt().isBefore(since)) {
                            out.add(entry);
                        }
                    }
                });
        return out;
    }

    /**
     * Opens every checked span of the partition that reaches {@code from} or beyond again (written to the topic like a verdict), for
     * when those offsets are being consumed and sent again: the group's offsets were reset below them.
     *
     * @return spans reopened
     */
    int reopen(TopicPartition tp, long from) {
        NavigableMap<LedgerEntry, LedgerEntry> spans = index.get(tp);
        if (spans == null) {
            return 0;
        }
        List<LedgerEntry> checked = spans.values().stream()
                .filter(e -> e.last() >= from && e.status() != LedgerEntry.Status.UNVERIFIED).toList();
        checked.forEach(e -> write(e.reopened()));
        return checked.size();
    }

    /** Drops confirmed spans sent before the cutoff from memory (the topic keeps them until its retention). */
    void forgetConfirmedBefore(Instant cutoff) {
        index.values().forEach(m -> m.values().removeIf(e -> e.status() == LedgerEntry.Status.CONFIRMED && e.sentAt().isBefore(cutoff)));
    }

    void stop(@Observes ShutdownEvent event) {
        if (!running) {
            return;
        }
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        running = false;
        producer.close(Duration.ofSeconds(5));
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
