package io.firehosebridge.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serde;
import org.jboss.logging.Logger;

import io.firehosebridge.background.Backoff;
import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.RepeatedFailure;

/**
 * A compacted Kafka topic that every replica reads from its beginning into memory and writes to: the one way the
 * service keeps shared state in Kafka (the delivery ledger, the reconciliation jobs).
 * <p>
 * One reader thread creates the topic when it is missing, reads it from the beginning and hands each record to the
 * owner's {@link Reader} in the topic's order per partition; it is caught up once it reached the end offsets it saw
 * when it (re)started. A failure closes the consumer and reads the topic again from the beginning after a
 * {@link Backoff#KAFKA} wait. Writes go through one idempotent producer ({@code acks=all}); one that Kafka refused or
 * could not reach is replaced by a fresh one (an idempotent producer that once failed to log in stays failed), no
 * sooner than the backoff says.
 */
public final class CompactedTopicView<K, V> {

    private static final Logger LOG = Logger.getLogger(CompactedTopicView.class);
    private static final Duration PARTITIONS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONSUMER_CLOSE = Duration.ofSeconds(2);
    private static final Duration PRODUCER_CLOSE = Duration.ofSeconds(5);

    /** What the owner does with what the reader reads; called on the reader thread only. */
    public interface Reader<K, V> {

        /** One record, a tombstone ({@code value} null) or a null key included. */
        void apply(K key, V value);

        /** The reader reached the end it saw when it (re)started from the beginning; {@code first}: for the first time since start. */
        default void caughtUp(boolean first) {
        }

        /** After every poll, whatever it returned. */
        default void afterPoll() {
        }
    }

    /**
     * The topic, and how it is created when missing (compacted, and deleted after {@code retention}).
     *
     * @param what the topic's name in log lines, e.g. "job" for "the job topic"
     * @param partitions the partitions it is created with
     * @param onlyPartitionZero read and written at partition 0 alone: one order of records for every replica
     */
    public record Topic(String what, String name, int partitions, Optional<Short> replication, Duration retention, boolean onlyPartitionZero) {

        /** A topic of one partition, read and written at partition 0 alone. */
        public static Topic singlePartition(String what, String name, Optional<Short> replication, Duration retention) {
            return new Topic(what, name, 1, replication, retention, true);
        }

        /** A topic created with {@code partitions}; every partition it has is read, and records go to their key's. */
        public static Topic partitioned(String what, String name, int partitions, Optional<Short> replication, Duration retention) {
            return new Topic(what, name, partitions, replication, retention, false);
        }

        NewTopic newTopic() {
            return new NewTopic(name, Optional.of(partitions), replication).configs(Map.of(
                    "cleanup.policy", "compact,delete",
                    "retention.ms", Long.toString(retention.toMillis())));
        }

        @Override
        public String toString() {
            return "the " + what + " topic " + name;
        }
    }

    /** Why a write failed. */
    public static final class WriteFailed extends RuntimeException {

        private final boolean writeAgain;

        WriteFailed(String message, boolean writeAgain, Throwable cause) {
            super(message, cause);
            this.writeAgain = writeAgain;
        }

        /** Whether writing the record again later is worth it: Kafka refused or could not be reached, and a fresh producer takes it. */
        public boolean writeAgain() {
            return writeAgain;
        }
    }

    /** How the view reaches Kafka; tests give it mock clients. */
    interface Connection<K, V> {

        Consumer<K, V> consumer();

        Producer<K, V> producer();

        /** Creates the topic when it is missing. */
        void ensureTopic();
    }

    private final Topic topic;
    private final String readerName;
    private final Duration poll;
    private final Reader<K, V> reader;
    private final Connection<K, V> connection;
    private final Backoff backoff;

    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    /** Whether the reader has read the topic to its end since it last started reading it from the beginning. */
    private volatile boolean current;
    private volatile Consumer<K, V> consumer;
    private volatile Producer<K, V> producer;
    /** Set when a write through {@link #producer} failed because Kafka refused or could not be reached. */
    private boolean producerFailed;
    private int producerRenewals;
    private long renewNotBefore;

    /**
     * A view of {@code topic} whose clients come from {@code clients}: a consumer {@code <clientIds>-reader}, a producer
     * {@code <clientIds>-writer} with {@code producerSettings} added (e.g. {@code linger.ms}), an admin client
     * {@code <clientIds>-admin}. The reader thread is named {@code <clientIds>-reader} too.
     */
    public CompactedTopicView(KafkaClients clients, Topic topic, String clientIds, Serde<K> keys, Serde<V> values,
            Map<String, Object> producerSettings, Duration poll, Reader<K, V> reader) {
        this(topic, clientIds + "-reader", poll, reader, Backoff.KAFKA, new Connection<>() {
            @Override
            public Consumer<K, V> consumer() {
                return clients.consumer(Map.of("enable.auto.commit", "false", "client.id", clientIds + "-reader"), keys.deserializer(),
                        values.deserializer());
            }

            @Override
            public Producer<K, V> producer() {
                Map<String, Object> settings = new java.util.HashMap<>(producerSettings);
                settings.putAll(Map.of("acks", "all", "enable.idempotence", "true", "client.id", clientIds + "-writer"));
                return clients.producer(settings, keys.serializer(), values.serializer());
            }

            @Override
            public void ensureTopic() {
                try (Admin admin = clients.admin(Map.of("client.id", clientIds + "-admin"))) {
                    admin.createTopics(List.of(topic.newTopic())).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("Created %s", topic);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + topic + ": " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("creating " + topic + " timed out", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating " + topic, e);
                }
            }
        });
    }

    CompactedTopicView(Topic topic, String readerName, Duration poll, Reader<K, V> reader, Backoff backoff, Connection<K, V> connection) {
        this.topic = topic;
        this.readerName = readerName;
        this.poll = poll;
        this.reader = reader;
        this.backoff = backoff;
        this.connection = connection;
    }

    /** Opens the producer and starts the reader thread. */
    public synchronized void start(BackgroundWork background) {
        if (running) {
            return;
        }
        running = true;
        producer = connection.producer();
        background.loop(readerName, this::read);
    }

    /** Closes the producer (waiting for what it holds to be written) and stops the reader. */
    public void stop() {
        Producer<K, V> p;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            p = producer;
            producer = null;
        }
        stopped.countDown();
        if (p != null) {
            p.close(PRODUCER_CLOSE);
        }
        Consumer<K, V> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Whether the view was started and not stopped since. */
    public boolean running() {
        return running;
    }

    /** Whether the topic was read to its end once since start. */
    public boolean loaded() {
        return loaded.getCount() == 0;
    }

    /** Waits until the topic was read to its end once since start; false on timeout. */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the topic has been read to its end since the reader last (re)started from its beginning. */
    public boolean current() {
        return current;
    }

    /** Waits until everything written to the topic before the call has been read here; false on timeout or when not running. */
    public boolean sync(Duration timeout) {
        if (!running) {
            return false;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        syncRequests.add(done);
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            syncRequests.remove(done);
        }
    }

    /**
     * Sends a record; the answer completes once the broker has it, or fails with {@link WriteFailed}. The reader reads it
     * back like any other record.
     */
    public CompletableFuture<Void> write(K key, V value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Producer<K, V> through;
        try {
            through = openProducer();
        } catch (WriteFailed e) {
            done.completeExceptionally(e);
            return done;
        }
        ProducerRecord<K, V> record = topic.onlyPartitionZero() ? new ProducerRecord<>(topic.name(), 0, key, value)
                : new ProducerRecord<>(topic.name(), key, value);
        try {
            through.send(record, (metadata, e) -> {
                if (e == null) {
                    written(through);
                    done.complete(null);
                } else {
                    done.completeExceptionally(failed(through, e));
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(failed(through, e));
        }
        return done;
    }

    /** The producer to write through: a fresh one once the last failed and the backoff has passed. */
    private Producer<K, V> openProducer() {
        Producer<K, V> retired;
        Producer<K, V> fresh;
        synchronized (this) {
            if (!running || producer == null) {
                throw new WriteFailed(topic + " is not open (the service is starting or stopping)", false, null);
            }
            if (!producerFailed) {
                return producer;
            }
            long wait = renewNotBefore - System.nanoTime();
            if (wait > 0) {
                throw new WriteFailed("Kafka refused or could not be reached; a fresh producer for " + topic + " is opened in "
                        + TimeUnit.NANOSECONDS.toMillis(wait) + " ms", true, null);
            }
            retired = producer;
            fresh = connection.producer();
            producer = fresh;
            producerFailed = false;
        }
        // Outside the lock: closing fails what the old producer still held, and their callbacks come here (failed()).
        retired.close(Duration.ZERO);
        return fresh;
    }

    private synchronized void written(Producer<K, V> through) {
        if (through == producer && !producerFailed) {
            producerRenewals = 0;
        }
    }

    private WriteFailed failed(Producer<K, V> through, Exception e) {
        String message = "Cannot write to " + topic + ": " + e.getMessage();
        if (through != producer) {
            // Still pending in a producer replaced since (or closed at stop).
            return new WriteFailed(message, running, e);
        }
        if (KafkaConnection.isConnectionFailure(e)) {
            synchronized (this) {
                if (through == producer && !producerFailed) {
                    producerFailed = true;
                    producerRenewals++;
                    renewNotBefore = System.nanoTime() + backoff.delay(producerRenewals).toNanos();
                }
            }
            return new WriteFailed(message, true, e);
        }
        return new WriteFailed(message, false, e);
    }

    private void read() {
        int failures = 0;
        RepeatedFailure logged = new RepeatedFailure(LOG);
        while (running && !Thread.currentThread().isInterrupted()) {
            Consumer<K, V> c = null;
            try {
                connection.ensureTopic();
                c = connection.consumer();
                consumer = c;
                List<TopicPartition> partitions = partitions(c);
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = c.endOffsets(partitions);
                // Until the end: a record read now may be one that a later record of the same key replaces.
                current = false;
                List<Waiting> waiting = new ArrayList<>();
                while (running) {
                    for (ConsumerRecord<K, V> r : c.poll(poll)) {
                        reader.apply(r.key(), r.value());
                    }
                    if (!current && reached(c, ends)) {
                        current = true;
                        failures = 0;
                        logged.clear();
                        // The owner first, so that whoever waits for the view finds the owner's part done too.
                        reader.caughtUp(!loaded());
                        loaded.countDown();
                    }
                    answerSyncs(c, partitions, waiting);
                    reader.afterPoll();
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                Duration wait = backoff.delay(++failures);
                if (e instanceof PartitionsNotKnownYet) {
                    // A topic just created: the brokers' metadata catches up within moments.
                    LOG.debugf("Reader of %s: %s; looking again in %d ms", topic, e.getMessage(), wait.toMillis());
                } else if (KafkaConnection.isConnectionFailure(e)) {
                    // KafkaConnection names the cause once and holds readiness DOWN.
                    LOG.debugf(e, "Reader of %s: %s; reading it again from the beginning in %d ms", topic, e.getMessage(), wait.toMillis());
                } else if (logged.isNew(e)) {
                    // Once per cause, with its stack: a failure that persists would otherwise repeat at every retry.
                    LOG.warnf(e, "Reader of %s failed; reading it again from the beginning in %d ms", topic, wait.toMillis());
                } else {
                    LOG.debugf("Reader of %s failed again: %s; retrying in %d ms", topic, e.getMessage(), wait.toMillis());
                }
                pause(wait);
            } finally {
                consumer = null;
                if (c != null) {
                    c.close(CONSUMER_CLOSE);
                }
            }
        }
    }

    private List<TopicPartition> partitions(Consumer<K, V> c) {
        if (topic.onlyPartitionZero()) {
            return List.of(new TopicPartition(topic.name(), 0));
        }
        List<PartitionInfo> found = c.partitionsFor(topic.name(), PARTITIONS_TIMEOUT);
        if (found == null || found.isEmpty()) {
            // Read as "caught up" at once, no partition would ever be read.
            throw new PartitionsNotKnownYet("no partitions of " + topic + " known yet");
        }
        return found.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** The topic exists, but its partitions are not in the metadata yet (it was just created). */
    private static final class PartitionsNotKnownYet extends RuntimeException {
        PartitionsNotKnownYet(String message) {
            super(message);
        }
    }

    private static boolean reached(Consumer<?, ?> c, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
    }

    /** Sync requests are answered once the reader reached the end offsets as of their asking. */
    private void answerSyncs(Consumer<K, V> c, List<TopicPartition> partitions, List<Waiting> waiting) {
        List<CompletableFuture<Void>> asked = new ArrayList<>();
        for (CompletableFuture<Void> f; (f = syncRequests.poll()) != null;) {
            asked.add(f);
        }
        if (!asked.isEmpty()) {
            waiting.add(new Waiting(c.endOffsets(partitions), asked));
        }
        waiting.removeIf(w -> {
            if (reached(c, w.ends())) {
                w.requests().forEach(f -> f.complete(null));
                return true;
            }
            return false;
        });
    }

    private record Waiting(Map<TopicPartition, Long> ends, List<CompletableFuture<Void>> requests) {
    }

    /** Waits before reading again; returns at once when the view is stopped. */
    private void pause(Duration wait) {
        try {
            stopped.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
