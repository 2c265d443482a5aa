package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.scan.PartitionReport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.kafka.KafkaClients;
import io.firehosebridge.kafka.KafkaConnection;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The job topic: a compacted, single-partition Kafka topic that every replica reads from the start into
 * its {@link JobBook} and writes its own jobs' states to. Keys: {@code <id>} for the state,
 * {@code <id>/p/<partition>} for a partition's report (gzip-compressed JSON, so a report with many
 * missing ranges stays far below Kafka's message size), {@code <id>/cancel} for a cancel request.
 */
@ApplicationScoped
public class JobStore {

    private static final Logger LOG = Logger.getLogger(JobStore.class);
    /** Kafka's default message size is 1 MB; a larger report is refused before it is sent, with the reason. */
    static final int MAX_VALUE_BYTES = 900_000;
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);

    @Inject
    ReconcileConfig config;

    @Inject
    ObjectMapper json;

    /** Builds the job topic's clients from the shared {@code kafka.*} configuration (connection and security settings). */
    @Inject
    KafkaClients clients;

    private final JobBook book = new JobBook();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> syncRequests = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    /** The reader's last failure logged, so that a failure that persists is logged once. */
    private String lastReadFailure;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    /** A cancel request as the topic holds it. */
    @RegisterForReflection
    public record CancelRequest(String id, String by, Instant at) {
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // A send that waits for metadata longer than a third of the owner timeout would make a live owner look dead.
        long maxBlockMs = Math.max(1_000, config.jobs().ownerTimeout().toMillis() / 3);
        producer = clients.producer(Map.of("acks", "all", "enable.idempotence", "true", "linger.ms", 0,
                "max.block.ms", maxBlockMs, "client.id", "reconcile-jobs-writer"), new StringSerializer(), new ByteArraySerializer());
        reader = new Thread(this::readLoop, "reconcile-jobs-reader");
        reader.setDaemon(true);
        reader.start();
    }

    JobBook book() {
        return book;
    }

    /** Whether the topic was read to its end once since start. */
    boolean loaded() {
        return loaded.getCount() == 0;
    }

    boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until this replica has read everything written to the topic before the call, so a job
     * another replica just created or changed is seen here; false on timeout.
     */
    boolean sync(Duration timeout) {
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
     * Writes a job state and waits for the broker; applied here at once when the book accepts it. Never
     * apply a finished state at once: the topic may already hold another replica's claim that it must lose to.
     */
    void write(JobState state, boolean applyNow) {
        write(state, applyNow, WRITE_TIMEOUT);
    }

    /** {@link #write(JobState, boolean)}, waiting at most {@code timeout} for the broker. */
    void write(JobState state, boolean applyNow, Duration timeout) {
        send(state.id(), serialize(state, false), timeout);
        if (applyNow) {
            book.apply(state);
        }
    }

    /** Writes a partition report (compressed) and waits for the broker. */
    void writeReport(String id, PartitionReport report) {
        byte[] value = serialize(report, true);
        if (value.length > MAX_VALUE_BYTES) {
            throw new ReconcileException(ReconcileException.Kind.INTERNAL, "Report too large", "The report of partition " + report.partition() + " is " + value.length
                    + " bytes even compressed, more than the job topic takes (" + MAX_VALUE_BYTES + "); lower bridge.reconcile.max-listed-ranges"
                    + " or reconcile smaller ranges");
        }
        send(id + "/p/" + report.partition(), value, WRITE_TIMEOUT);
        book.report(id, report);
    }

    /** Writes a cancel request for the job's owner to see. */
    void writeCancel(CancelRequest cancel) {
        send(cancel.id() + "/cancel", serialize(cancel, false), WRITE_TIMEOUT);
        book.cancel(cancel.id());
    }

    private void send(String key, byte[] value, Duration timeout) {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            throw ReconcileException.unavailable("Kafka", "The job topic is not open (the service is starting or stopping)");
        }
        try {
            p.send(new ProducerRecord<>(config.jobs().topic(), 0, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw ReconcileException.unavailable("Kafka", "Cannot write to the job topic " + config.jobs().topic() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw ReconcileException.unavailable("Kafka", "Writing to the job topic " + config.jobs().topic() + " timed out after "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReconcileException.unavailable("Kafka", "Interrupted while writing to the job topic");
        }
    }

    byte[] serialize(Object value, boolean compress) {
        try {
            byte[] raw = json.writeValueAsBytes(value);
            if (!compress) {
                return raw;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(raw);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T deserialize(byte[] value, Class<T> type) throws IOException {
        if (value.length > 1 && value[0] == (byte) 0x1f && value[1] == (byte) 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(value))) {
                return json.readValue(in, type);
            }
        }
        return json.readValue(value, type);
    }

    /** Applies one record of the topic to the book. */
    void apply(String key, byte[] value) {
        if (key == null || value == null) {
            return;
        }
        try {
            int slash = key.indexOf('/');
            if (slash < 0) {
                book.apply(deserialize(value, JobState.class));
            } else if (key.endsWith("/cancel")) {
                book.cancel(key.substring(0, slash));
            } else if (key.startsWith("/p/", slash)) {
                book.report(key.substring(0, slash), deserialize(value, PartitionReport.class));
            }
        } catch (IOException e) {
            LOG.debugf("Skipping unreadable job record %s: %s", key, e.getMessage());
        }
    }

    private void readLoop() {
        TopicPartition tp = new TopicPartition(config.jobs().topic(), 0);
        while (running) {
            try {
                ensureTopic();
                consumer = clients.consumer(Map.of("enable.auto.commit", "false", "client.id", "reconcile-jobs-reader"),
                        new StringDeserializer(), new ByteArrayDeserializer());
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                List<Waiting> waiting = new ArrayList<>();
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        apply(r.key(), r.value());
                    }
                    long position = consumer.position(tp);
                    if (loaded.getCount() > 0 && position >= end) {
                        loaded.countDown();
                        LOG.infof("Job topic %s loaded: %d jobs", config.jobs().topic(), book.size());
                        lastReadFailure = null;
                    }
                    List<CompletableFuture<Void>> asked = new ArrayList<>();
                    for (CompletableFuture<Void> f; (f = syncRequests.poll()) != null;) {
                        asked.add(f);
                    }
                    if (!asked.isEmpty()) {
                        waiting.add(new Waiting(consumer.endOffsets(List.of(tp)).get(tp), asked));
                    }
                    waiting.removeIf(w -> {
                        if (position >= w.end()) {
                            w.requests().forEach(f -> f.complete(null));
                            return true;
                        }
                        return false;
                    });
                    book.forgetBeyond(config.api().retainedJobs());
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                // Once per cause, as the ledger does: a broker that refuses the login would otherwise repeat it every 5 s.
                if (KafkaConnection.isConnectionFailure(e)) {
                    // KafkaConnection names the cause once and holds readiness DOWN.
                    LOG.debugf("Job topic %s reader: %s; retrying in 5 s", config.jobs().topic(), e.getMessage());
                } else if (!Objects.equals(e.getMessage(), lastReadFailure)) {
                    LOG.warnf("Job topic %s reader: %s; retrying in 5 s", config.jobs().topic(), e.getMessage());
                    lastReadFailure = e.getMessage();
                }
                pause(Duration.ofSeconds(5));
            } finally {
                KafkaConsumer<String, byte[]> c = consumer;
                consumer = null;
                if (c != null) {
                    c.close(Duration.ofSeconds(2));
                }
            }
        }
    }

    private record Waiting(long end, List<CompletableFuture<Void>> requests) {
    }

    private void ensureTopic() {
        try (Admin admin = clients.admin(Map.of("client.id", "reconcile-jobs-admin"))) {
            Optional<Short> replication = config.jobs().topicReplicationFactor();
            NewTopic topic = new NewTopic(config.jobs().topic(), Optional.of(1), replication).configs(Map.of(
                    "cleanup.policy", "compact,delete",
                    "retention.ms", Long.toString(config.jobs().retention().toMillis())));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.infof("Created the job topic %s", config.jobs().topic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the job topic: " + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating the job topic timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        KafkaProducer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
