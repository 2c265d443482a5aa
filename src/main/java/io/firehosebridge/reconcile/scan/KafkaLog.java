package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.firehosebridge.kafka.KafkaClients;

/**
 * What reconciliation needs from Kafka: a partition's retained offsets and the bridge group's committed
 * offset (admin client), and records read back by offset (a plain consumer with assign and seek, no group).
 */
@ApplicationScoped
public class KafkaLog {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    @Inject
    KafkaClients clients;

    // Channel wiring stays in application.properties; the bridge's own consumer settings are the source.
    @ConfigProperty(name = "mp.messaging.incoming.clicks.group.id")
    String bridgeGroup;

    private volatile Admin admin;

    /**
     * A partition's log as reconciliation sees it.
     *
     * @param partitions partitions of the topic
     * @param earliest earliest retained offset
     * @param end log end offset (next offset to be written)
     * @param committed the bridge group's committed offset, or -1 when it has none
     */
    public record Bounds(int partitions, long earliest, long end, long committed) {
    }

    /** Partitions of a topic; 404 when the topic does not exist. */
    public int partitions(String topic) {
        try {
            TopicDescription d = admin().describeTopics(List.of(topic)).allTopicNames().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw ReconcileException.notFound("Topic '" + topic + "' does not exist");
            }
            throw unavailable(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    /** Bounds of one partition; 404 when the topic or partition does not exist. */
    public Bounds bounds(String topic, int partition) {
        int partitions = partitions(topic);
        if (partition >= partitions) {
            throw ReconcileException.notFound("Topic '" + topic + "' has partitions 0.." + (partitions - 1) + "; there is no partition " + partition);
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        ListOffsetsResult earliest = admin().listOffsets(Map.of(tp, OffsetSpec.earliest()));
        ListOffsetsResult latest = admin().listOffsets(Map.of(tp, OffsetSpec.latest()));
        OffsetAndMetadata c = answer(admin().listConsumerGroupOffsets(bridgeGroup).partitionsToOffsetAndMetadata()).get(tp);
        return new Bounds(partitions, answer(earliest.partitionResult(tp)).offset(), answer(latest.partitionResult(tp)).offset(),
                c == null ? -1 : c.offset());
    }

    /** The bridge group's committed offset of each partition of the topic that has one (one request for the whole group). */
    public Map<Integer, Long> committed(String topic) {
        Map<Integer, Long> out = new HashMap<>();
        answer(admin().listConsumerGroupOffsets(bridgeGroup).partitionsToOffsetAndMetadata()).forEach((tp, c) -> {
            if (c != null && tp.topic().equals(topic)) {
                out.put(tp.partition(), c.offset());
            }
        });
        return out;
    }

    /** The admin call's answer within the call timeout; 503 when Kafka does not give one. */
    private static <T> T answer(KafkaFuture<T> call) {
        try {
            return call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable(e.getCause());
        } catch (TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    /** A short-lived reader of records by offset; close it after use. */
    public Reader reader() {
        return new Reader(clients.consumer(Map.of(
                "enable.auto.commit", "false",
                "max.poll.records", "2000",
                "client.id", "reconcile-reader-" + Long.toHexString(System.nanoTime())),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /** Reads records back by offset with assign and seek. Not thread-safe. */
    public static final class Reader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;

        Reader(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        /** Timestamp of the record at (or, after compaction, the first one after) the offset; -1 when there is none before {@code end}. */
        public long timestamp(TopicPartition tp, long offset, long end) {
            if (offset >= end) {
                return -1;
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                    if (r.offset() >= offset) {
                        return r.timestamp();
                    }
                }
                if (consumer.position(tp) >= end) {
                    return -1;
                }
            }
            throw ReconcileException.unavailable("Kafka", "Reading " + tp + " at offset " + offset + " timed out after " + CALL_TIMEOUT.toSeconds() + " s");
        }

        /** The records at the offsets of the given ranges (inclusive), in order; at most {@code limit}. */
        public List<ConsumerRecord<byte[], byte[]>> read(TopicPartition tp, List<OffsetRange> ranges, long end, int limit) {
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            consumer.assign(List.of(tp));
            for (OffsetRange range : ranges) {
                long last = Math.min(range.last(), end - 1);
                if (range.first() > last) {
                    continue;
                }
                consumer.seek(tp, range.first());
                long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
                boolean done = false;
                while (!done) {
                    if (System.nanoTime() > deadline) {
                        throw ReconcileException.unavailable("Kafka", "Reading " + tp + " offsets " + range.first() + ".." + last + " timed out");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                        if (r.offset() > last) {
                            done = true;
                            break;
                        }
                        if (r.offset() >= range.first()) {
                            out.add(r);
                            if (out.size() >= limit) {
                                return out;
                            }
                        }
                    }
                    if (consumer.position(tp) > last) {
                        done = true;
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = clients.admin(Map.of(
                            "request.timeout.ms", (int) CALL_TIMEOUT.toMillis(),
                            "default.api.timeout.ms", (int) CALL_TIMEOUT.toMillis()));
                }
                a = admin;
            }
        }
        return a;
    }

    private static ReconcileException unavailable(Throwable cause) {
        String why = cause == null || cause.getMessage() == null ? "no answer" : cause.getMessage();
        return ReconcileException.unavailable("Kafka", "Kafka at the configured bootstrap servers cannot be reached or did not answer: " + why);
    }

    @PreDestroy
    void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
