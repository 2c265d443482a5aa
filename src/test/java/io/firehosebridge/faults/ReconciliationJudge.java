package io.firehosebridge.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.DeliveredOffsets;

/**
 * The fault suite's judge: the bridge's own reconciliation API (asked through the HTTP port {@code bridgePort} names at the
 * moment of the call, so any replica can answer) together with the dead-letter topic.
 */
final class ReconciliationJudge {

    private static final Logger LOG = Logger.getLogger(ReconciliationJudge.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IntSupplier bridgePort;
    private final Duration settle;

    /** What the judge found for one topic (or offset window): reconciliation reports per partition plus the dead-letter topic. */
    record Verdict(long events, long missingInSearch, long missingInBackup, long failedInSearch, long duplicatedInSearch,
            long duplicatedInBackup, long deadLettered, long deadLettersWithoutReason, Map<Long, String> reasons) {

        long missing() {
            return Math.max(missingInSearch, missingInBackup);
        }

        long duplicated() {
            return Math.max(duplicatedInSearch, duplicatedInBackup);
        }
    }

    /** The dead letters of a run: original partition and offset to reason, and how many came without a reason. */
    record DeadLetters(Map<Long, String> reasons, long withoutReason) {
    }

    ReconciliationJudge(IntSupplier bridgePort, Duration settle) {
        this.bridgePort = bridgePort;
        this.settle = settle;
    }

    /**
     * Waits until the bridge's reconciliation reports, minus what the dead-letter topic holds, show nothing missing in the
     * index or the backup (or the settle time passed); then counts duplicates and dead letters.
     */
    Verdict judge(String topic, String dlqTopic, Set<Long> expectedDeadLetters) throws Exception {
        Map<Integer, Long> ends = endOffsets(topic);
        Map<Integer, Long> starts = new TreeMap<>();
        ends.keySet().forEach(p -> starts.put(p, 0L));
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            DeadLetters dlq = deadLetters(dlqTopic);
            Verdict v = window(topic, starts, ends, dlq);
            boolean dlqSettled = expectedDeadLetters.isEmpty() || dlq.reasons().keySet().containsAll(expectedDeadLetters);
            if ((v.missingInSearch() == 0 && v.missingInBackup() == 0 && dlqSettled) || System.nanoTime() > deadline) {
                LOG.infof("judge %s: %s", topic, v.toString().replaceAll("reasons=\\{.*\\}", ""));
                return v;
            }
            LOG.infof("judge %s: %,d missing in search, %,d in backup, %,d dead letters; waiting", topic, v.missingInSearch(),
                    v.missingInBackup(), dlq.reasons().size());
            Thread.sleep(5_000);
        }
    }

    /** The reports of the offsets {@code [from[p], to[p])} of every partition, summed, minus the dead-lettered offsets. */
    Verdict window(String topic, Map<Integer, Long> from, Map<Integer, Long> to, DeadLetters dlq) throws Exception {
        long events = 0;
        long missingSearch = 0;
        long missingBackup = 0;
        long failedInSearch = 0;
        long dupSearch = 0;
        long dupBackup = 0;
        for (var e : to.entrySet()) {
            long first = from.getOrDefault(e.getKey(), 0L);
            if (e.getValue() <= first) {
                continue;
            }
            events += e.getValue() - first;
            JsonNode report = reconcile(topic, e.getKey(), first, e.getValue());
            missingSearch += missingNotDeadLettered(report.path("search"), e.getKey(), dlq.reasons().keySet());
            missingBackup += missingNotDeadLettered(report.path("backup"), e.getKey(), dlq.reasons().keySet());
            failedInSearch += report.path("failedInSearch").path("count").asLong();
            dupSearch += report.path("search").path("duplicated").path("extraCopies").asLong();
            dupBackup += report.path("backup").path("duplicated").path("extraCopies").asLong();
        }
        return new Verdict(events, missingSearch, missingBackup, failedInSearch, dupSearch, dupBackup, dlq.reasons().size(),
                dlq.withoutReason(), dlq.reasons());
    }

    private static long missingNotDeadLettered(JsonNode side, int partition, Set<Long> deadLettered) {
        if (side.path("missingTruncated").asBoolean()) {
            return side.path("missingCount").asLong();
        }
        long missing = 0;
        for (JsonNode range : side.path("missing")) {
            for (long o = range.get(0).asLong(); o <= range.get(1).asLong(); o++) {
                if (!deadLettered.contains(DeliveredOffsets.key(partition, o))) {
                    missing++;
                }
            }
        }
        return missing;
    }

    /** The report of {@code GET /reconciliations/{topic}/{partition}?from=&to=}. */
    JsonNode reconcile(String topic, int partition, long from, long to) throws Exception {
        return reconcileAnswer(topic, partition, from, to).path("report");
    }

    /** The whole answer: the report and the id a re-drive needs. */
    JsonNode reconcileAnswer(String topic, int partition, long from, long to) throws Exception {
        int port = bridgePort.getAsInt();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reconciliations/" + topic + "/"
                + partition + "?from=" + from + "&to=" + to)).timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("reconciliation of " + topic + "/" + partition + " through port " + port + " answered "
                    + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The end offset of every partition of a topic now. */
    static Map<Integer, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:9092"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<Integer, Long> ends = new TreeMap<>();
            consumer.endOffsets(partitions).forEach((tp, o) -> ends.put(tp.partition(), o));
            return ends;
        }
    }

    /** Reads the whole dead-letter topic. */
    static DeadLetters deadLetters(String dlqTopic) {
        Map<Long, String> reasons = new HashMap<>();
        long withoutReason = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "max.partition.fetch.bytes", 8 * 1024 * 1024, "fetch.max.bytes", 64 * 1024 * 1024), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(dlqTopic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(dlqTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String reason = header(r, "dlq-reason");
                    String partition = header(r, "dlq-original-partition");
                    String offset = header(r, "dlq-original-offset");
                    if (reason == null || reason.isBlank() || partition == null || offset == null) {
                        withoutReason++;
                        continue;
                    }
                    reasons.put(DeliveredOffsets.key(Integer.parseInt(partition), Long.parseLong(offset)), reason);
                }
            }
        }
        return new DeadLetters(reasons, withoutReason);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
