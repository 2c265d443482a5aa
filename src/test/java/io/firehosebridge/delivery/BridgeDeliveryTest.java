package io.firehosebridge.delivery;

import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.delivery.settle.DeadLetterWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LogCapture;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The bridge end to end on the real parts: Kafka → bridge → local Firehose endpoint → OpenSearch and
 * the S3 store, checked offset by offset with an independent count of what arrived.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
class BridgeDeliveryTest {

    private static final Logger LOG = Logger.getLogger(BridgeDeliveryTest.class);
    private static final String TOPIC = LocalStackResource.TOPIC;
    /** Faults of this run's own stream on the stack's endpoint, never of its clicks stream, which others deliver to. */
    private static final String FAULTS = "http://127.0.0.1:4573/_local/streams/" + LocalStackResource.STREAM + "/faults";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void deliversEveryOffsetToSearchAndBackup() throws Exception {
        Instant start = Instant.now();
        List<Span> spans;
        try (ClickProducer producer = new ClickProducer()) {
            spans = producer.clicks(TOPIC, 100_000);
        }
        assertThat(spans.stream().mapToLong(Span::count).sum()).isEqualTo(100_000);
        DeliveredOffsets search = awaitAllInSearch(spans, Duration.ofMinutes(4));
        DeliveredOffsets backup = awaitAllInBackup(spans, start, Duration.ofMinutes(2));
        long dupSearch = spans.stream().mapToLong(s -> search.duplicates(s.partition(), s.from(), s.to())).sum();
        long dupBackup = spans.stream().mapToLong(s -> backup.duplicates(s.partition(), s.from(), s.to())).sum();
        LOG.infof("100,000 events: all present in search and backup in %s; duplicates search=%d backup=%d",
                Duration.between(start, Instant.now()), dupSearch, dupBackup);
        assertThat(dupSearch).isLessThanOrEqualTo(500);
    }

    @Test
    void deliversEveryOffsetDespitePartialFailuresAndAQuota() throws Exception {
        String before = faults("GET", null);
        try {
            faults("PUT", "{\"recordFailureRate\":0.2,\"recordsPerSecond\":20000}");
            Instant start = Instant.now();
            List<Span> spans;
            try (ClickProducer producer = new ClickProducer()) {
                // Half the first test's stream: still 2.5 s at the quota and about 10,000 failed entries, each resent alone.
                spans = producer.clicks(TOPIC, 50_000);
            }
            DeliveredOffsets search = awaitAllInSearch(spans, Duration.ofMinutes(4));
            DeliveredOffsets backup = awaitAllInBackup(spans, start, Duration.ofMinutes(2));
            long dupSearch = spans.stream().mapToLong(s -> search.duplicates(s.partition(), s.from(), s.to())).sum();
            long dupBackup = spans.stream().mapToLong(s -> backup.duplicates(s.partition(), s.from(), s.to())).sum();
            LOG.infof("50,000 events with 20%% failed entries and a 20,000 records/s quota: all present in %s; duplicates search=%d backup=%d",
                    Duration.between(start, Instant.now()), dupSearch, dupBackup);
            // Only failed entries are resent, so a refused record never reaches the destination twice.
            assertThat(dupSearch).isLessThanOrEqualTo(500);
            assertThat(dupBackup).isLessThanOrEqualTo(500);
        } finally {
            faults("PUT", before);
        }
    }

    @Test
    void deadLettersPoisonRecordsWithTheirReasonAndDeliversTheRest() throws Exception {
        Map<String, byte[]> hostile = new HashMap<>();
        hostile.put("not-json", "click=1".getBytes(StandardCharsets.UTF_8));
        hostile.put("not-an-object", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        byte[] badUtf8 = "{\"a\":\"xx\"}".getBytes(StandardCharsets.UTF_8);
        badUtf8[6] = (byte) 0xC3;
        hostile.put("invalid-utf8", badUtf8);
        hostile.put("duplicate-key", "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8));
        hostile.put("too-deep", ("{\"a\":".repeat(30) + "1" + "}".repeat(30)).getBytes(StandardCharsets.UTF_8));
        hostile.put("oversize", ("{\"f\":\"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        List<String> reasons = new ArrayList<>(hostile.keySet());

        List<byte[]> values = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (int i = 0; i < 1_000; i++) {
            if (i % 2 == 0) {
                String reason = reasons.get((i / 2) % reasons.size());
                values.add(hostile.get(reason));
                expected.add(reason);
            } else {
                values.add(("{\"event\":\"interest_service_click\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                expected.add(null);
            }
        }
        Instant start = Instant.now();
        List<long[]> at;
        try (ClickProducer producer = new ClickProducer()) {
            at = producer.sendEach(TOPIC, values);
        }
        Map<Long, String> expectedDeadLetters = new HashMap<>();
        List<long[]> good = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (expected.get(i) != null) {
                expectedDeadLetters.put(DeliveredOffsets.key((int) at.get(i)[0], at.get(i)[1]), expected.get(i));
            } else {
                good.add(at.get(i));
            }
        }
        Map<Long, String> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "group.id", "dlq-check-" + LocalStackResource.RUN, "auto.offset.reset", "earliest", "max.partition.fetch.bytes", 4_194_304),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(LocalStackResource.DLQ_TOPIC));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (seen.size() < expectedDeadLetters.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    int partition = Integer.parseInt(header(r, DeadLetterWriter.PARTITION));
                    long offset = Long.parseLong(header(r, DeadLetterWriter.OFFSET));
                    assertThat(header(r, DeadLetterWriter.TOPIC)).isEqualTo(TOPIC);
                    seen.put(DeliveredOffsets.key(partition, offset), header(r, DeadLetterWriter.REASON));
                }
            }
        }
        assertThat(seen).isEqualTo(expectedDeadLetters);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", TOPIC);
            assertThat(good).allSatisfy(g -> assertThat(search.copies((int) g[0], g[1])).isPositive());
        });
        LOG.infof("500 poison records dead-lettered with their reasons and 500 good records delivered in %s",
                Duration.between(start, Instant.now()));
    }

    @Test
    void keepsInFlightBytesWithinTheBoundWhileThrottled() throws Exception {
        String before = faults("GET", null);
        try {
            faults("PUT", "{\"recordsPerSecond\":2000}");
            List<Span> spans;
            try (ClickProducer producer = new ClickProducer()) {
                // 2 KB events: 8 calls of 500 would hold about 8 MB, so the 4 MiB byte bound is what binds.
                spans = producer.clicks(TOPIC, 30_000, 2_048);
            }
            // While the endpoint lets only 2,000 records/s through, the bridge must hold at most its bound.
            double limit = metric("bridge_inflight_limit_bytes");
            // The bound is what holds records back (reached, never exceeded): consumption paused instead of buffering.
            await("in-flight bytes above half the bound of " + limit).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        double now = metric("bridge_inflight_bytes");
                        assertThat(now).as("in-flight bytes").isLessThanOrEqualTo(limit);
                        return now > limit / 2;
                    });
            double peak = metric("bridge_inflight_peak_bytes");
            assertThat(peak).isLessThanOrEqualTo(limit);
            faults("PUT", before);
            awaitAllInSearch(spans, Duration.ofMinutes(3));
            LOG.infof("Throttled to 2,000 records/s: in-flight bytes peaked at %.0f (bound %.0f)", peak, limit);
        } finally {
            faults("PUT", before);
        }
    }

    /**
     * A node whose clock is 10 minutes behind AWS's: the stack's AWS time is moved ahead ({@code PUT /_local/clock}), so
     * every signature the service makes looks 10 minutes old and is refused, as AWS refuses it, with AWS's time in the
     * answer's Date. The service corrects its signing time from it (as the SDK's clients do) and delivers everything,
     * warning once; when the clocks agree again it corrects back.
     */
    @Test
    void deliversEveryOffsetWhileTheNodesClockIsTenMinutesBehindAws() throws Exception {
        try (LogCapture log = LogCapture.of(AwsClock.class)) {
            long logFrom = Files.exists(PACKAGED_LOG) ? Files.size(PACKAGED_LOG) : 0;
            long refusedBefore = signaturesRefused();
            List<Span> spans;
            try {
                assertThat(stackClock("{\"offset\":\"PT10M\"}")).contains("\"offset\":\"PT10M\"");
                Instant start = Instant.now();
                try (ClickProducer producer = new ClickProducer()) {
                    spans = producer.clicks(TOPIC, 5_000);
                }
                awaitAllInSearch(spans, Duration.ofMinutes(2));
                awaitAllInBackup(spans, start, Duration.ofMinutes(2));
                // The skew was real: the stack refused the node's time at least once before the service corrected it (on
                // PutRecordBatch, or on a search request when that came first).
                assertThat(signaturesRefused()).isGreaterThan(refusedBefore);
                assertThat(metric("bridge_aws_clock_offset_seconds")).isBetween(595.0, 605.0);
                assertThat(clockLines(log, logFrom)).anySatisfy(line -> assertThat(line).contains("AWS's clock is about 10 min", "ahead of this node's", "NTP"));
                // Ready all along: the SDK's readiness call signs with the node's clock and is refused, which is not AWS refusing
                // the service (DeliveryStreamHealthCheck); search and the backup are read with AWS's time or within S3's 15 min.
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            } finally {
                stackClock("{\"offset\":\"PT0S\"}");
                // The SDK's clients in this JVM learned the offset too (the SDK keeps one per JVM): one call corrects them back.
                try (var firehose = io.firehosebridge.testing.LocalStreams.client(4573)) {
                    firehose.listDeliveryStreams(b -> b.limit(1));
                }
            }
            Instant start = Instant.now();
            try (ClickProducer producer = new ClickProducer()) {
                spans = producer.clicks(TOPIC, 1_000);
            }
            awaitAllInSearch(spans, Duration.ofMinutes(2));
            awaitAllInBackup(spans, start, Duration.ofMinutes(2));
            assertThat(metric("bridge_aws_clock_offset_seconds")).isBetween(-5.0, 5.0);
            assertThat(clockLines(log, logFrom)).anySatisfy(line -> assertThat(line).contains("agree again"));
            LOG.infof("Clock 10 min behind AWS and back: 6,000 events delivered, %d signatures refused in all (the calls in flight as"
                    + " the clock moved); %s",
                    signaturesRefused() - refusedBefore, clockLines(log, logFrom));
        }
    }

    /** The packaged application's log when this class runs as BridgeDeliveryIT (Quarkus's integration tests write it there). */
    private static final Path PACKAGED_LOG = Path.of("target", "quarkus.log");

    /**
     * AwsClock's lines since the test began: captured in this JVM when the service runs here, read from the packaged
     * application's log when it runs in its own process.
     */
    private static List<String> clockLines(LogCapture log, long logFrom) throws IOException {
        List<String> lines = new ArrayList<>(log.lines());
        if (Files.exists(PACKAGED_LOG) && Files.size(PACKAGED_LOG) > logFrom) {
            try (RandomAccessFile file = new RandomAccessFile(PACKAGED_LOG.toFile(), "r")) {
                file.seek(logFrom);
                byte[] added = new byte[(int) (file.length() - logFrom)];
                file.readFully(added);
                // The file's format shortens the category ([i.f.a.AwsClock]).
                new String(added, StandardCharsets.UTF_8).lines().filter(l -> l.contains("AwsClock]")).forEach(lines::add);
            }
        }
        return lines;
    }

    /** Signatures the stack refused since it started, on the Firehose API and the search front (S3 allows 15 minutes). */
    private static long signaturesRefused() throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:4573/_local/auth")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        com.fasterxml.jackson.databind.JsonNode refused = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("refused");
        return refused.path("firehose").path("InvalidSignatureException").asLong(0) + refused.path("search").path("InvalidSignatureException").asLong(0);
    }

    private static String stackClock(String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:4573/_local/clock"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static double metric(String name) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8081/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("metric " + name + " not exposed; bridge metrics are: "
                + java.util.Arrays.stream(body.split("\n")).filter(l -> l.startsWith("bridge_")).toList());
    }

    private static DeliveredOffsets awaitAllInSearch(List<Span> spans, Duration atMost) {
        DeliveredOffsets[] last = new DeliveredOffsets[1];
        await().atMost(atMost).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            DeliveredOffsets found = DeliveredOffsets.inSearch("clicks*", TOPIC);
            last[0] = found;
            assertThat(spans).allSatisfy(s -> assertThat(found.missing(s.partition(), s.from(), s.to()))
                    .as("offsets of partition %d in [%d, %d) missing from search", s.partition(), s.from(), s.to()).isZero());
        });
        return last[0];
    }

    private static DeliveredOffsets awaitAllInBackup(List<Span> spans, Instant since, Duration atMost) {
        DeliveredOffsets[] last = new DeliveredOffsets[1];
        await().atMost(atMost).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            DeliveredOffsets found = DeliveredOffsets.inBackup("clicks-backup", TOPIC, since);
            last[0] = found;
            assertThat(spans).allSatisfy(s -> assertThat(found.missing(s.partition(), s.from(), s.to()))
                    .as("offsets of partition %d in [%d, %d) missing from the backup", s.partition(), s.from(), s.to()).isZero());
        });
        return last[0];
    }

    private static String faults(String method, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(FAULTS)).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
