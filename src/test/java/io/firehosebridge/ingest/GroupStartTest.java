package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.StartPosition.Kind;
import io.firehosebridge.kafka.KafkaClients;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LogCapture;
import io.firehosebridge.testing.Topics;

/**
 * Where a new group starts, on the real broker of the local stack, with a group consumer that calls {@link GroupStart} from
 * its rebalance callback as the {@code clicks} channel's listener does. The topic has three partitions: 0 and 1 hold ten
 * records written two hours ago and ten written one hour ago; 2 holds only the older ten. Each test joins a group of its own.
 */
class GroupStartTest {

    private static final String TOPIC = "it-start-" + LocalStackResource.RUN;
    /** The same records, for the test that writes more after its start. */
    private static final String LATEST_TOPIC = TOPIC + "-latest";
    /** Kafka keeps milliseconds. */
    private static final Instant OLDER = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofHours(2));
    private static final Instant NEWER = OLDER.plus(Duration.ofHours(1));
    private static final Instant BETWEEN = OLDER.plus(Duration.ofMinutes(30));
    private static final KafkaClients CLIENTS = new KafkaClients(Map.of("bootstrap.servers", "127.0.0.1:9092"));

    private LogCapture log;

    @BeforeAll
    static void writeTwoBatches() throws Exception {
        LocalStackResource.ensureStarted();
        Topics.create(List.of(new NewTopic(TOPIC, 3, (short) 1), new NewTopic(LATEST_TOPIC, 3, (short) 1)));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String topic : List.of(TOPIC, LATEST_TOPIC)) {
                for (int p = 0; p < 3; p++) {
                    write(producer, topic, p, OLDER, 10);
                }
                for (int p = 0; p < 2; p++) {
                    write(producer, topic, p, NEWER, 10);
                }
            }
        }
    }

    @BeforeEach
    void captureLog() {
        log = LogCapture.of(GroupStart.class);
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    @Test
    void aTimestampBetweenTwoBatchesStartsAtTheSecondAndLogsEachPartition() {
        Joined joined = join("timestamp", Optional.of(new StartPosition(Kind.TIMESTAMP, BETWEEN)));

        assertThat(joined.started()).containsExactly(Map.entry(0, 10L), Map.entry(1, 10L), Map.entry(2, 10L));
        joined.awaitRecords(20);
        assertThat(joined.offsets(0)).containsExactlyElementsOf(range(10, 20));
        assertThat(joined.offsets(1)).containsExactlyElementsOf(range(10, 20));
        assertThat(joined.offsets(2)).isEmpty();
        assertThat(joined.records).allSatisfy(r -> assertThat(r.timestamp()).isGreaterThanOrEqualTo(NEWER.toEpochMilli()));

        List<String> lines = lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(TOPIC + "-0 starts at offset 10: the group has no committed offset for it; "
                + "bridge.ingest.start-position=" + BETWEEN + ": its first record at or after that time, written " + NEWER);
        assertThat(lines.get(1)).startsWith(TOPIC + "-1 starts at offset 10:");
        assertThat(lines.get(2)).isEqualTo(TOPIC + "-2 starts at offset 10: the group has no committed offset for it; "
                + "bridge.ingest.start-position=" + BETWEEN + ": no record at or after that time, so the end of the log");
        joined.close();
    }

    @Test
    void latestStartsAtTheEndAndReadsOnlyWhatIsWrittenAfter() throws Exception {
        Joined joined = new Joined(consumer(group("latest")), LATEST_TOPIC, new GroupStart(Optional.of(new StartPosition(Kind.LATEST, null)), "earliest"));
        assertThat(joined.started()).containsExactly(Map.entry(0, 20L), Map.entry(1, 20L), Map.entry(2, 10L));
        assertThat(lines()).hasSize(3).allSatisfy(l -> assertThat(l).contains("bridge.ingest.start-position=latest: the end of the log"));

        // What is written after the start is read; the older records never are.
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            write(producer, LATEST_TOPIC, 2, Instant.now(), 1);
        }
        joined.awaitRecords(1);
        assertThat(joined.offsets(2)).containsExactly(10L);
        assertThat(joined.records).hasSize(1);
        joined.close();
    }

    @Test
    void earliestStartsAtTheFirstRetainedOffset() {
        Joined joined = join("earliest", Optional.of(new StartPosition(Kind.EARLIEST, null)));
        assertThat(joined.started()).containsExactly(Map.entry(0, 0L), Map.entry(1, 0L), Map.entry(2, 0L));
        joined.awaitRecords(50);
        assertThat(joined.offsets(0)).startsWith(0L, 1L, 2L).containsAll(range(0, 20));
        assertThat(lines()).allSatisfy(l -> assertThat(l).contains("bridge.ingest.start-position=earliest: the earliest retained offset"));
        joined.close();
    }

    @Test
    void aGroupWithCommittedOffsetsCarriesOnFromThemWhateverTheSetting() {
        String group = group("committed");
        try (KafkaConsumer<byte[], byte[]> committer = consumer(group)) {
            committer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(5), new TopicPartition(TOPIC, 1),
                    new OffsetAndMetadata(15), new TopicPartition(TOPIC, 2), new OffsetAndMetadata(7)));
        }
        Joined joined = join(group, new GroupStart(Optional.of(new StartPosition(Kind.LATEST, null)), "earliest"));

        assertThat(joined.started()).isEmpty();
        joined.awaitRecords(15 + 5 + 3);
        assertThat(joined.offsets(0)).first().isEqualTo(5L);
        assertThat(joined.offsets(1)).first().isEqualTo(15L);
        assertThat(joined.offsets(2)).first().isEqualTo(7L);
        assertThat(lines()).isEmpty();
        joined.close();
    }

    @Test
    void unsetTheConsumersAutoOffsetResetDecidesAndTheStartIsStillLoggedAndReturned() {
        Joined joined = join("unset", Optional.empty());
        assertThat(joined.started()).containsExactly(Map.entry(0, 0L), Map.entry(1, 0L), Map.entry(2, 0L));
        assertThat(lines()).hasSize(3).allSatisfy(l -> assertThat(l).endsWith("bridge.ingest.start-position unset: auto.offset.reset=earliest"));
        joined.close();
    }

    /** A group consumer that, on assignment, asks {@link GroupStart} where to start; it polls only in the test's thread. */
    private static final class Joined {
        final KafkaConsumer<byte[], byte[]> consumer;
        final List<GroupStart.Started> started = new CopyOnWriteArrayList<>();
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        boolean assigned;

        Joined(KafkaConsumer<byte[], byte[]> consumer, String topic, GroupStart start) {
            this.consumer = consumer;
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    started.addAll(start.place(consumer, partitions));
                    assigned |= !partitions.isEmpty();
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }
            });
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                poll();
                return assigned;
            });
        }

        void poll() {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }

        void awaitRecords(int count) {
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollInterval(Duration.ZERO).until(() -> {
                poll();
                return records.size() >= count;
            });
            // Anything beyond them would have come with them or in the polls just after.
            for (int i = 0; i < 3; i++) {
                poll();
            }
        }

        /** Partition to start offset, in partition order. */
        Map<Integer, Long> started() {
            Map<Integer, Long> out = new TreeMap<>();
            started.forEach(s -> out.put(s.partition().partition(), s.offset()));
            return out;
        }

        List<Long> offsets(int partition) {
            return records.stream().filter(r -> r.partition() == partition).map(ConsumerRecord::offset).sorted().toList();
        }

        void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private Joined join(String name, Optional<StartPosition> position) {
        return join(group(name), new GroupStart(position, "earliest"));
    }

    private static Joined join(String group, GroupStart start) {
        return new Joined(consumer(group), TOPIC, start);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        return CLIENTS.consumer(Map.of("group.id", group, "enable.auto.commit", "false", "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static String group(String name) {
        return "it-start-" + name + "-" + LocalStackResource.RUN;
    }

    private List<String> lines() {
        return log.lines().stream().filter(l -> l.contains(" starts at offset ")).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "all"), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static void write(KafkaProducer<byte[], byte[]> producer, String topic, int partition, Instant from, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, partition, from.toEpochMilli() + i, null,
                    ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8))).get();
        }
    }
}
