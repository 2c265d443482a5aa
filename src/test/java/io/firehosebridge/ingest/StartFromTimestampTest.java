package io.firehosebridge.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.DemoClicks;
import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * A new group told to start from a time between two batches, on the real stack and delivery path: only the second batch
 * reaches the index, the log names each partition's start, the ledger topic keeps it, and a reconciliation without
 * {@code from} begins there, not at the first batch, which it would otherwise report missing. The records are written
 * before the service starts (by this class's test resource), with timestamps two hours and one hour old.
 */
@QuarkusTest
@TestProfile(StartFromTimestampTest.FromBetweenTheBatches.class)
class StartFromTimestampTest {

    static final String TOPIC = "it-start-clicks-" + LocalStackResource.RUN;
    static final String TOKEN = "test-reconcile-token";
    static final Path LOG_FILE = Path.of("target", "start-from-timestamp-" + LocalStackResource.RUN + ".log");
    static final int PER_BATCH = 40;
    /** Kafka keeps milliseconds. */
    static final Instant OLDER = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofHours(2));
    static final Instant NEWER = OLDER.plus(Duration.ofHours(1));
    static final Instant BETWEEN = OLDER.plus(Duration.ofMinutes(30));

    /** This class's own topics and group, the start position between the batches, and a log file to read the start from. */
    public static class FromBetweenTheBatches implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TwoBatches.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The local stack as every test has it, and a topic of two partitions holding both batches before the service starts. */
    public static class TwoBatches implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = LocalStackResource.withOwnTopics(TOPIC, 2);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "all"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                DemoClicks clicks = new DemoClicks(7);
                for (Instant batch : List.of(OLDER, NEWER)) {
                    for (int i = 0; i < PER_BATCH; i++) {
                        producer.send(new ProducerRecord<>(TOPIC, i % 2, batch.toEpochMilli() + i, null,
                                clicks.next(batch).getBytes(StandardCharsets.UTF_8))).get();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("Cannot write the start position test's records", e);
            }
            config.putAll(Map.of(
                    "bridge.ingest.start-position", BETWEEN.toString(),
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG_FILE.toAbsolutePath().toString()));
            return config;
        }

        @Override
        public void stop() {
        }
    }

    /** As the resource gave it: read back, since the resource may have run with another copy of this class's statics. */
    @ConfigProperty(name = "bridge.ingest.start-position")
    String startPosition;

    @ConfigProperty(name = "quarkus.log.file.path")
    String logFile;

    @Test
    void deliversOnlyTheSecondBatchAndTheReconciliationBeginsWhereTheGroupStarted() throws Exception {
        Instant between = Instant.parse(startPosition);
        Instant newer = between.plus(Duration.ofMinutes(30));
        int half = PER_BATCH / 2; // records per partition and batch: offsets [0, 20) old, [20, 40) new
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", TOPIC);
            for (int p = 0; p < 2; p++) {
                assertThat(search.missing(p, half, 2 * half)).as("second batch of partition %d in search", p).isZero();
            }
        });
        DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", TOPIC);
        for (int p = 0; p < 2; p++) {
            assertThat(search.missing(p, 0, half)).as("first batch of partition %d: none in search", p).isEqualTo(half);
        }

        String log = Files.readString(Path.of(logFile));
        for (int p = 0; p < 2; p++) {
            assertThat(log).containsOnlyOnce(TOPIC + "-" + p + " starts at offset " + half + ": the group has no committed offset for it; "
                    + "bridge.ingest.start-position=" + between + ": its first record at or after that time, written " + newer.plusMillis(p));
        }

        // Without 'from' the report begins at the group's start: the first batch, never sent, is not reported missing.
        for (int p = 0; p < 2; p++) {
            int partition = p;
            JsonPath report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Response r = given().auth().oauth2(TOKEN).get("/reconciliations/{topic}/{partition}", TOPIC, partition);
                return r.statusCode() == 200 ? r.jsonPath().setRootPath("report") : null;
            }, r -> r != null && r.getLong("to") == 2 * half && "COMPLETE".equals(r.getString("status")));
            assertThat(report.getLong("from")).isEqualTo(half);
            assertThat(report.getLong("expected")).isEqualTo(half);
            assertThat(report.getLong("search.missingCount")).isZero();
            assertThat(report.getLong("backup.missingCount")).isZero();
        }
        // The start is in the ledger topic, which every replica, and this one after a restart, reads back.
        Map<String, String> marks = startMarks(TOPIC + "-ledger");
        for (int p = 0; p < 2; p++) {
            assertThat(marks.get("started:" + TOPIC + "/" + p)).as("start mark of partition %d", p).startsWith(half + " ")
                    .endsWith("bridge.ingest.start-position=" + between + ": its first record at or after that time, written " + newer.plusMillis(p));
        }

        // An explicit 'from' still reaches back: there the first batch is missing, as it should be.
        JsonPath whole = given().auth().oauth2(TOKEN).queryParam("from", 0).get("/reconciliations/{topic}/{partition}", TOPIC, 0)
                .then().statusCode(200).extract().jsonPath().setRootPath("report");
        assertThat(whole.getLong("search.missingCount")).isEqualTo(half);
    }

    /** The start marks in the ledger topic, read from its beginning to its end by a consumer of no group. */
    private static Map<String, String> startMarks(String ledgerTopic) {
        Map<String, String> marks = new HashMap<>();
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:9092"), new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(ledgerTopic).stream().map(i -> new TopicPartition(ledgerTopic, i.partition()))
                    .toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().startsWith("started:")) {
                        marks.put(r.key(), r.value());
                    }
                });
                return partitions.stream().allMatch(tp -> reader.position(tp) >= ends.get(tp));
            });
        }
        return marks;
    }
}
