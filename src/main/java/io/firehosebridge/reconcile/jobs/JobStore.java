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
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.serialization.Serdes;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.kafka.CompactedTopicView;
import io.firehosebridge.kafka.KafkaClients;
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

    @Inject
    BackgroundWork background;

    private final JobBook book = new JobBook();
    private volatile CompactedTopicView<String, byte[]> topic;

    /** A cancel request as the topic holds it. */
    @RegisterForReflection
    public record CancelRequest(String id, String by, Instant at) {
    }

    synchronized void start() {
        if (topic != null) {
            return;
        }
        // A send that waits for metadata longer than a third of the owner timeout would make a live owner look dead.
        long maxBlockMs = Math.max(1_000, config.jobs().ownerTimeout().toMillis() / 3);
        topic = new CompactedTopicView<>(clients,
                CompactedTopicView.Topic.singlePartition("job", config.jobs().topic(), config.jobs().topicReplicationFactor(), config.jobs().retention()),
                "reconcile-jobs", Serdes.String(), Serdes.ByteArray(), Map.of("linger.ms", 0, "max.block.ms", maxBlockMs),
                Duration.ofMillis(100), new CompactedTopicView.Reader<>() {
                    @Override
                    public void apply(String key, byte[] value) {
                        JobStore.this.apply(key, value);
                    }

                    @Override
                    public void caughtUp(boolean first) {
                        if (first) {
                            LOG.infof("Job topic %s loaded: %d jobs", config.jobs().topic(), book.size());
                        }
                    }

                    @Override
                    public void afterPoll() {
                        book.forgetBeyond(config.api().retainedJobs());
                    }
                });
        topic.start(background);
    }

    JobBook book() {
        return book;
    }

    /** Whether the topic was read to its end once since start. */
    boolean loaded() {
        CompactedTopicView<String, byte[]> t = topic;
        return t != null && t.loaded();
    }

    boolean awaitLoaded(Duration timeout) throws InterruptedException {
        CompactedTopicView<String, byte[]> t = topic;
        return t != null && t.awaitLoaded(timeout);
    }

    /**
     * Waits until this replica has read everything written to the topic before the call, so a job
     * another replica just created or changed is seen here; false on timeout.
     */
    boolean sync(Duration timeout) {
        CompactedTopicView<String, byte[]> t = topic;
        return t != null && t.sync(timeout);
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
        CompactedTopicView<String, byte[]> t = topic;
        if (t == null) {
            throw ReconcileException.unavailable("Kafka", "The job topic is not open (the service is starting or stopping)");
        }
        try {
            t.write(key, value).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw ReconcileException.unavailable("Kafka", e.getCause().getMessage());
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

    synchronized void stop() {
        if (topic != null) {
            topic.stop();
        }
    }
}
