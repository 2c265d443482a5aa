package io.firehosebridge.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;


/** Produces records to the real broker and remembers, per partition, which offsets it wrote. */
public final class ClickProducer implements AutoCloseable {

    /** Offsets written to one partition: [from, to). */
    public record Span(int partition, long from, long to) {
        public long count() {
            return to - from;
        }

        /** One span per partition from its first to its last offset, by partition: the spans of one writer, which leave no gaps. */
        public static List<Span> merged(List<Span> spans) {
            java.util.Map<Integer, long[]> byPartition = new java.util.HashMap<>();
            for (Span s : spans) {
                byPartition.merge(s.partition(), new long[] { s.from(), s.to() }, (x, y) -> new long[] { Math.min(x[0], y[0]), Math.max(x[1], y[1]) });
            }
            return byPartition.entrySet().stream().map(e -> new Span(e.getKey(), e.getValue()[0], e.getValue()[1]))
                    .sorted(java.util.Comparator.comparingInt(Span::partition)).toList();
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final DemoClicks clicks = new DemoClicks(42);

    /** A producer to the stack's broker (PLAINTEXT, 127.0.0.1:9092). */
    public ClickProducer() {
        this("127.0.0.1:9092");
    }

    /** A producer to another PLAINTEXT broker (e.g. the IAM broker's helper listener). */
    public ClickProducer(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers, "linger.ms", 10, "batch.size", 262_144, "acks", "all",
                "max.request.size", 4_194_304), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writes {@code count} seed-shaped click events spread over the partitions; returns the spans written. */
    public List<Span> clicks(String topic, int count) throws Exception {
        return clicks(topic, count, 0);
    }

    /** Like {@link #clicks(String, int)}, each event padded with a {@code note} field to at least {@code minBytes}. */
    public List<Span> clicks(String topic, int count, int minBytes) throws Exception {
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String click = clicks.next(Instant.now());
            int missing = minBytes - click.length() - 12;
            if (missing > 0) {
                click = click.substring(0, click.length() - 1) + ",\"note\":\"" + "x".repeat(missing) + "\"}";
            }
            values.add(click.getBytes(StandardCharsets.UTF_8));
        }
        return send(topic, values);
    }

    /**
     * Writes {@code count} padded click events without holding them all in memory (for large backlogs);
     * returns the number written once the broker acknowledged all of them.
     */
    public long backlog(String topic, long count, int minBytes) throws Exception {
        return backlog(topic, count, minBytes, timestamp -> {
        });
    }

    /**
     * Like {@link #backlog(String, long, int)}, with each record's Kafka timestamp set from the wall clock and handed
     * to {@code stamped} before the record is sent, so a reader can never see a record whose timestamp is not yet known.
     */
    public long backlog(String topic, long count, int minBytes, LongConsumer stamped) throws Exception {
        Future<RecordMetadata> last = null;
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (long i = 0; i < count; i++) {
            String click = clicks.next(Instant.now());
            int missing = minBytes - click.length() - 12;
            if (missing > 0) {
                click = click.substring(0, click.length() - 1) + ",\"note\":\"" + "x".repeat(missing) + "\"}";
            }
            long timestamp = System.currentTimeMillis();
            stamped.accept(timestamp);
            last = producer.send(new ProducerRecord<>(topic, null, timestamp, null, click.getBytes(StandardCharsets.UTF_8)), (m, e) -> {
                if (e != null) {
                    failure.set(e);
                }
            });
        }
        producer.flush();
        if (last != null) {
            last.get();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return count;
    }

    /** Writes the given values round-robin over partitions; returns the spans written. */
    public List<Span> send(String topic, List<byte[]> values) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), values.get(i))));
        }
        producer.flush();
        Map<Integer, long[]> spans = new HashMap<>();
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            spans.merge(m.partition(), new long[] { m.offset(), m.offset() + 1 },
                    (a, b) -> new long[] { Math.min(a[0], b[0]), Math.max(a[1], b[1]) });
        }
        return spans.entrySet().stream().map(e -> new Span(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .sorted(java.util.Comparator.comparingInt(Span::partition)).toList();
    }

    /** The partition and offset each value landed at, in order. */
    public List<long[]> sendEach(String topic, List<byte[]> values) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), values.get(i))));
        }
        producer.flush();
        List<long[]> at = new ArrayList<>(values.size());
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            at.add(new long[] { m.partition(), m.offset() });
        }
        return at;
    }

    @Override
    public void close() {
        producer.close();
    }
}
