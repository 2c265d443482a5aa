package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.firehosebridge.background.Backoff;
import io.firehosebridge.background.BackgroundWork;

/** The compacted-topic view against mock Kafka clients: what it reads, when it is caught up, how it retries and writes. */
class CompactedTopicViewTest {

    private static final String TOPIC = "jobs";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Backoff QUICK = new Backoff(Duration.ofMillis(40), Duration.ofMillis(80));

    private final BackgroundWork background = new BackgroundWork();
    private final Clients clients = new Clients();
    private final Recorder reader = new Recorder();
    private CompactedTopicView<String, String> view;

    @AfterEach
    void stop() {
        if (view != null) {
            view.stop(); // the reader thread ends with it; the view starts no other thread
        }
    }

    @Test
    void readsFromTheBeginningAndIsCaughtUpAtTheEndItSawOnStart() throws Exception {
        SlowMockConsumer consumer = clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 3L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, "a", "1"));
            consumer.addRecord(record(P0, 1, "a", null));
            consumer.addRecord(record(P0, 2, "b", "2"));
        });
        view = start(singlePartition());

        assertThat(view.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        assertThat(reader.applied).as("every record, the tombstone too, in the topic's order").containsExactly("a=1", "a=null", "b=2");
        assertThat(reader.caughtUp).containsExactly(true);
        assertThat(view.current()).isTrue();
        assertThat(clients.topicsEnsured.get()).isEqualTo(1);
    }

    @Test
    void syncWaitsUntilWhatWasWrittenBeforeTheCallIsRead() throws Exception {
        SlowMockConsumer consumer = clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 0L));
        view = start(singlePartition());
        assertThat(view.awaitLoaded(Duration.ofSeconds(5))).isTrue();

        // Another replica wrote two records: the end moved, the records reach this reader a little later.
        consumer.updateEndOffsets(Map.of(P0, 2L));
        CompletableFuture<Integer> seenAtSync = CompletableFuture.supplyAsync(() -> view.sync(Duration.ofSeconds(5)) ? reader.applied.size() : -1);
        Thread.sleep(100);
        assertThat(seenAtSync).as("not answered before the records are read").isNotDone();
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, "x", "1"));
            consumer.addRecord(record(P0, 1, "y", "2"));
        });
        assertThat(seenAtSync.get(5, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void aFailedReadStartsAgainFromTheBeginningAfterABackoff() throws Exception {
        SlowMockConsumer broken = clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 1L));
        broken.setPollException(new KafkaException("broker gone"));
        SlowMockConsumer fresh = clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 1L));
        fresh.schedulePollTask(() -> fresh.addRecord(record(P0, 0, "a", "1")));
        view = start(singlePartition());

        assertThat(view.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        assertThat(broken.closed()).as("the failed consumer is closed").isTrue();
        assertThat(reader.applied).containsExactly("a=1");
        assertThat(clients.topicsEnsured.get()).as("the topic is looked for again too").isEqualTo(2);
    }

    @Test
    void aPartitionedTopicIsReadOnceItsPartitionsAreKnown() throws Exception {
        // Just created, the topic's partitions are not known yet: read then, it would look caught up with nothing read.
        clients.nextConsumer(Map.of(), Map.of());
        SlowMockConsumer known = clients.nextConsumer(Map.of(P0, 0L, P1, 0L), Map.of(P0, 1L, P1, 1L));
        known.updatePartitions(TOPIC, List.of(partition(0), partition(1)));
        known.schedulePollTask(() -> {
            known.addRecord(record(P0, 0, "a", "1"));
            known.addRecord(record(P1, 0, "b", "2"));
        });
        view = start(CompactedTopicView.Topic.partitioned("ledger", TOPIC, 2, Optional.empty(), Duration.ofDays(7)));

        assertThat(view.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        assertThat(reader.applied).containsExactlyInAnyOrder("a=1", "b=2");
    }

    @Test
    void aWriteToASinglePartitionTopicGoesToPartitionZero() throws Exception {
        clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 0L));
        view = start(singlePartition());
        view.write("job-1", "state").get(5, TimeUnit.SECONDS);
        assertThat(clients.producers.get(0).history()).singleElement().satisfies(r -> {
            assertThat(r.partition()).isZero();
            assertThat(r.key()).isEqualTo("job-1");
        });
    }

    @Test
    void aProducerKafkaRefusedIsReplacedByAFreshOneAfterTheBackoff() throws Exception {
        clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 0L));
        clients.autoComplete = false;
        // A backoff long enough that the next write surely comes before it passes, even on a busy machine.
        view = start(singlePartition(), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        MockProducer<String, String> first = clients.producers.get(0);

        CompletableFuture<Void> refused = view.write("a", "1");
        first.errorNext(new org.apache.kafka.common.errors.SaslAuthenticationException("login refused"));
        assertThat(failure(refused).writeAgain()).as("worth writing again").isTrue();

        CompactedTopicView.WriteFailed meanwhile = failure(view.write("b", "2"));
        assertThat(meanwhile.writeAgain()).isTrue();
        assertThat(meanwhile.getMessage()).contains("fresh producer");
        assertThat(clients.producers).as("no new producer before the backoff passed").hasSize(1);

        clients.autoComplete = true;
        // Refused at once while the backoff lasts; written by a fresh producer once it passed.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> view.write("c", "3").get(5, TimeUnit.SECONDS) == null);
        assertThat(clients.producers).hasSize(2);
        assertThat(first.closed()).isTrue();
    }

    @Test
    void aWriteThatFailsForAnotherReasonIsNotWorthWritingAgain() throws Exception {
        clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 0L));
        clients.autoComplete = false;
        view = start(singlePartition());
        CompletableFuture<Void> refused = view.write("a", "1");
        clients.producers.get(0).errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("too large"));
        assertThat(failure(refused).writeAgain()).isFalse();
    }

    @Test
    void stopEndsTheReaderAndRefusesWrites() throws Exception {
        SlowMockConsumer consumer = clients.nextConsumer(Map.of(P0, 0L), Map.of(P0, 0L));
        view = start(singlePartition());
        assertThat(view.awaitLoaded(Duration.ofSeconds(5))).isTrue();
        view.stop();
        await().atMost(Duration.ofSeconds(5)).until(consumer::closed);
        assertThat(view.sync(Duration.ofMillis(10))).isFalse();
        CompactedTopicView.WriteFailed refused = failure(view.write("a", "1"));
        assertThat(refused.writeAgain()).isFalse();
        assertThat(refused.getMessage()).contains("not open");
    }

    private CompactedTopicView<String, String> start(CompactedTopicView.Topic topic) {
        return start(topic, QUICK);
    }

    private CompactedTopicView<String, String> start(CompactedTopicView.Topic topic, Backoff backoff) {
        CompactedTopicView<String, String> v = new CompactedTopicView<>(topic, "test-reader", Duration.ofMillis(10), reader, backoff, clients);
        v.start(background);
        return v;
    }

    private static CompactedTopicView.Topic singlePartition() {
        return CompactedTopicView.Topic.singlePartition("job", TOPIC, Optional.empty(), Duration.ofDays(7));
    }

    private static CompactedTopicView.WriteFailed failure(CompletableFuture<Void> write) throws Exception {
        try {
            write.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(CompactedTopicView.WriteFailed.class);
            return (CompactedTopicView.WriteFailed) e.getCause();
        }
        throw new AssertionError("the write succeeded");
    }

    private static ConsumerRecord<String, String> record(TopicPartition tp, long offset, String key, String value) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, value);
    }

    private static PartitionInfo partition(int p) {
        return new PartitionInfo(TOPIC, p, Node.noNode(), new Node[0], new Node[0]);
    }

    /** What the owner of the view was told. */
    private static final class Recorder implements CompactedTopicView.Reader<String, String> {
        final List<String> applied = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> caughtUp = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void apply(String key, String value) {
            applied.add(key + "=" + value);
        }

        @Override
        public void caughtUp(boolean first) {
            caughtUp.add(first);
        }
    }

    /** A mock consumer whose empty polls take a little time, as a real poll's timeout does. */
    private static final class SlowMockConsumer extends MockConsumer<String, String> {
        SlowMockConsumer() {
            super("earliest");
        }

        @Override
        public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
            ConsumerRecords<String, String> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    wait(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }
    }

    /** Hands out the consumers prepared for each (re)start of the reader, and mock producers. */
    private static final class Clients implements CompactedTopicView.Connection<String, String> {
        final ConcurrentLinkedQueue<SlowMockConsumer> consumers = new ConcurrentLinkedQueue<>();
        final List<MockProducer<String, String>> producers = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger topicsEnsured = new AtomicInteger();
        volatile boolean autoComplete = true;

        SlowMockConsumer nextConsumer(Map<TopicPartition, Long> beginning, Map<TopicPartition, Long> end) {
            SlowMockConsumer c = new SlowMockConsumer();
            c.updateBeginningOffsets(beginning);
            c.updateEndOffsets(end);
            consumers.add(c);
            return c;
        }

        @Override
        public Consumer<String, String> consumer() {
            SlowMockConsumer c = consumers.poll();
            if (c == null) {
                throw new IllegalStateException("no consumer prepared");
            }
            return c;
        }

        @Override
        public Producer<String, String> producer() {
            MockProducer<String, String> p = new MockProducer<>(autoComplete, null, new StringSerializer(), new StringSerializer());
            producers.add(p);
            return p;
        }

        @Override
        public void ensureTopic() {
            topicsEnsured.incrementAndGet();
        }
    }
}
