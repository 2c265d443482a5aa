package io.firehosebridge.reconcile.ledger;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.scan.DeliveryHistory;
import io.firehosebridge.reconcile.scan.OffsetRange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.RepeatedFailure;
import io.firehosebridge.background.TimedTask;
import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.ingest.GroupStart;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.kafka.CompactedTopicView;
import io.firehosebridge.kafka.KafkaClients;
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

    @Inject
    BackgroundWork background;

    private final LedgerSpans spans = new LedgerSpans();
    private final Map<TopicPartition, NavigableMap<LedgerEntry, LedgerEntry>> index = new ConcurrentHashMap<>();
    /**
     * Key prefix of a partition's sweep mark: the offset below which the verifier has swept the committed offsets no span
     * covers. No topic name holds a colon, so no span key starts with it. Its value is the offset as plain text, which a
     * ledger reader of an earlier version skips as unreadable.
     */
    private static final String SWEPT = "swept:";
    private final Map<TopicPartition, Long> swept = new ConcurrentHashMap<>();
    /**
     * Key prefix of where the group started on a partition it had no committed offset for ({@link GroupStart}): the
     * reconciliation's default beginning. Its value is plain text, {@code <offset> <written, epoch ms> <why>}, which a ledger
     * reader of an earlier version skips as unreadable.
     */
    private static final String STARTED = "started:";
    private final Map<TopicPartition, StartMark> started = new ConcurrentHashMap<>();
    private final Map<TopicPartition, StartMark> startsBeforeTopic = new HashMap<>();

    /** Where the group started on a partition, when that was written, and why there. */
    private record StartMark(long offset, Instant written, String why) {
        String value() {
            return offset + " " + written.toEpochMilli() + " " + why;
        }

        static StartMark of(String value) {
            String[] parts = value.split(" ", 3);
            return new StartMark(Long.parseLong(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])), parts.length > 2 ? parts[2] : "");
        }
    }
    private volatile boolean running;
    private volatile CompactedTopicView<String, String> topic;
    private TimedTask flusher;
    /** Entries whose write failed because Kafka refused or could not be reached, written again at the next flush. */
    private final Queue<LedgerEntry> unwritten = new ConcurrentLinkedQueue<>();
    private final RepeatedFailure writeFailures = new RepeatedFailure(LOG);

    void start(@Observes StartupEvent event) {
        if (!config.ledger().enabled() || !delivery.enabled()) {
            return;
        }
        running = true;
        CompactedTopicView<String, String> view = new CompactedTopicView<>(clients, CompactedTopicView.Topic.partitioned("delivery ledger", config.ledger().topic(),
                config.ledger().topicPartitions(), config.ledger().topicReplicationFactor(), config.ledger().retention()),
                "delivery-ledger", Serdes.String(), Serdes.String(), Map.of("linger.ms", 20), Duration.ofMillis(500),
                new CompactedTopicView.Reader<>() {
                    @Override
                    public void apply(String key, String value) {
                        read(key, value);
                    }

                    @Override
                    public void caughtUp(boolean first) {
                        LOG.infof("Delivery ledger %s loaded: %d spans in memory", config.ledger().topic(), size());
                    }
                });
        view.start(background);
        synchronized (startsBeforeTopic) {
            topic = view;
            startsBeforeTopic.forEach(this::writeStart);
            startsBeforeTopic.clear();
        }
        Duration every = config.ledger().flushInterval();
        flusher = background.every("ledger-flush", every, every, this::flush);
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

    /** Writes the spans collected since the last flush, after those whose write failed before. */
    void flush() {
        // Taken out first: a write that fails at once puts its entry back for the next flush, not for this loop.
        List<LedgerEntry> again = new ArrayList<>();
        for (LedgerEntry entry; (entry = unwritten.poll()) != null;) {
            again.add(entry);
        }
        for (LedgerEntry entry : again) {
            write(entry);
        }
        for (LedgerEntry entry : spans.drain()) {
            write(entry);
        }
        refreshStartMarks(Instant.now());
    }

    /**
     * Writes start marks again before the topic's retention deletes them (it deletes by age, compacted or not): the
     * reconciliation's default beginning must outlive it.
     */
    void refreshStartMarks(Instant now) {
        Instant due = now.minus(config.ledger().retention().dividedBy(2));
        started.forEach((tp, mark) -> {
            if (mark.written().isBefore(due)) {
                writeStart(tp, new StartMark(mark.offset(), now, mark.why()));
            }
        });
    }

    /** Writes an entry (a new span or a verdict) to the ledger topic; the index learns it when it is read back. */
    void write(LedgerEntry entry) {
        String value;
        try {
            value = json.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        topic.write(entry.key(), value).whenComplete((ok, e) -> {
            if (e instanceof CompactedTopicView.WriteFailed failed && failed.writeAgain()) {
                // KafkaConnection names the cause once; a fresh producer writes the entry at the next flush.
                LOG.debugf(e, "Ledger write of %s failed; written again at the next flush", entry.key());
                unwritten.add(entry);
            } else if (e != null) {
                writeFailures.warn(e, "Ledger write of %s failed; the span is lost from the ledger", entry.key());
            }
        });
        // Visible at once in this instance; the read-back replaces it with the same value.
        remember(entry);
    }

    /** Applies one record of the ledger topic: a span's latest state or a sweep mark; tombstones and unreadable records are skipped. */
    private void read(String key, String value) {
        if (value == null) {
            return;
        }
        try {
            if (key != null && key.startsWith(SWEPT)) {
                rememberSwept(key, value);
            } else if (key != null && key.startsWith(STARTED)) {
                started.put(partitionOf(key, STARTED), StartMark.of(value));
            } else {
                remember(json.readValue(value, LedgerEntry.class));
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debugf(e, "Skipping unreadable ledger record %s", key);
        }
    }

    /** Keeps the latest state of a span. The map's key is the span's identity; its value the latest state (a put keeps the old key). */
    private void remember(LedgerEntry entry) {
        index.computeIfAbsent(new TopicPartition(entry.topic(), entry.partition()), k -> new ConcurrentSkipListMap<>(SPAN_ORDER))
                .put(entry, entry);
    }

    private void rememberSwept(String key, String value) {
        swept.put(partitionOf(key, SWEPT), Long.parseLong(value));
    }

    /** The partition a mark's key ({@code <prefix><topic>/<partition>}) names. */
    private static TopicPartition partitionOf(String key, String prefix) {
        int slash = key.lastIndexOf('/');
        return new TopicPartition(key.substring(prefix.length(), slash), Integer.parseInt(key.substring(slash + 1)));
    }

    /**
     * Records where the group started on a partition it had no committed offset for, here at once and for every replica
     * through the topic; a later start of the partition (the group's offsets deleted) replaces it.
     */
    void markStarted(GroupStart.Started start) {
        if (!config.ledger().enabled() || !delivery.enabled()) {
            return;
        }
        StartMark mark = new StartMark(start.offset(), Instant.now(), start.why());
        synchronized (startsBeforeTopic) {
            // The channel may be assigned partitions before this ledger's start has opened the topic: written then.
            if (topic == null) {
                startsBeforeTopic.put(start.partition(), mark);
                started.put(start.partition(), mark);
                return;
            }
        }
        writeStart(start.partition(), mark);
    }

    private void writeStart(TopicPartition tp, StartMark mark) {
        topic.write(STARTED + tp.topic() + "/" + tp.partition(), mark.value()).whenComplete((ok, e) -> {
            if (e != null) {
                writeFailures.warn(e, "Ledger: where the group started on %s (offset %d) was not written; a reconciliation without "
                        + "'from' starts at the earliest retained offset there", tp, mark.offset());
            }
        });
        started.put(tp, mark);
    }

    /** Where the group started on the partition when it had no committed offset, or -1 when the ledger does not know. */
    @Override
    public long groupStart(String topic, int partition) {
        StartMark mark = started.get(new TopicPartition(topic, partition));
        return mark == null ? -1 : mark.offset();
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
        topic.write(sweptKey(tp), Long.toString(offset)).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.debugf(e, "Sweep mark of %s not written; written again at the next sweep", tp);
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
        CompactedTopicView<String, String> t = topic;
        return t != null && t.awaitLoaded(timeout);
    }

    /** Whether the topic has been read to its end since the reader last (re)started from its beginning. */
    boolean current() {
        CompactedTopicView<String, String> t = topic;
        return t != null && t.current();
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
        flusher.stop(Duration.ofSeconds(5));
        try {
            flush();
        } finally {
            running = false;
            topic.stop();
        }
    }
}
