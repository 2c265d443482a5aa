package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.scan.KafkaLog;
import io.firehosebridge.reconcile.scan.OffsetRange;
import io.firehosebridge.reconcile.scan.PartitionReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.DeliveryPipeline;
import io.firehosebridge.delivery.RedriveResult;

/**
 * Re-drives a finished reconciliation's missing offsets: plans which offsets to send (checked at once, so
 * the API answers 4xx before a job starts), then, in the job, reads them back from Kafka in chunks and
 * sends each chunk through the normal delivery path, marked re-driven, within the pipeline's own in-flight
 * bound. Offsets missing on either side are sent, since Firehose writes every record to both search and
 * the backup. Any replica can do it: reading by offset needs no partition assignment.
 */
@ApplicationScoped
public class Redriver {

    /** Offsets read back and sent per chunk, so a job's memory does not grow with the number of missing offsets. */
    static final long CHUNK_OFFSETS = 5_000;

    @Inject
    KafkaLog kafka;

    @Inject
    DeliveryPipeline pipeline;

    @Inject
    DeliveryConfig delivery;

    @Inject
    ReconcileConfig config;

    /** The offsets to re-drive for a finished reconciliation with these reports; 409/422/503 when it cannot be re-driven. */
    public List<RedriveAnswer.PartitionOffsets> plan(JobState source, List<PartitionReport> reports) {
        if (source.kind() != JobState.Kind.RECONCILE) {
            throw ReconcileException.conflict("Job " + source.id() + " is a re-drive; re-drive the reconciliation it came from, or reconcile again");
        }
        if (source.state() != ReconciliationJobs.State.SUCCEEDED) {
            throw ReconcileException.conflict("Reconciliation " + source.id() + " is " + source.state() + "; only a SUCCEEDED one can be re-driven");
        }
        if (!delivery.enabled()) {
            throw ReconcileException.unavailable("Delivery pipeline",
                    "The delivery pipeline is switched off (bridge.delivery.enabled=false), so nothing can be re-driven");
        }
        List<RedriveAnswer.PartitionOffsets> plan = new ArrayList<>();
        long missing = 0;
        for (PartitionReport r : reports) {
            // An S3-only stream's report has no search side: what S3 misses is what is re-sent.
            PartitionReport.Side search = r.search();
            if ((search != null && search.missingTruncated()) || r.backup().missingTruncated()) {
                throw ReconcileException.unprocessable("Partition " + r.partition() + " has more missing ranges than the report lists ("
                        + (search == null ? "" : search.missingRanges() + " / ") + r.backup().missingRanges()
                        + "); reconcile and re-drive smaller offset ranges");
            }
            List<OffsetRange> union = search == null ? r.backup().missing() : union(search.missing(), r.backup().missing());
            long n = union.stream().mapToLong(OffsetRange::count).sum();
            if (n > 0) {
                plan.add(new RedriveAnswer.PartitionOffsets(r.partition(), n, union));
                missing += n;
            }
        }
        if (missing > config.api().maxRedriveRecords()) {
            throw ReconcileException.unprocessable(missing + " offsets are missing, more than bridge.reconcile.api.max-redrive-records ("
                    + config.api().maxRedriveRecords() + ") allows in one re-drive; reconcile and re-drive smaller offset ranges");
        }
        return plan;
    }

    /** What one chunk did: offsets covered and the delivery path's counts. */
    record Chunk(long offsets, RedriveResult result) {
    }

    /**
     * Sends one partition's offsets, chunk by chunk, handing each chunk's outcome to {@code done}; stops
     * between chunks when {@code stop} says so.
     */
    void send(String topic, RedriveAnswer.PartitionOffsets partition, BooleanSupplier stop, java.util.function.Consumer<Chunk> done) {
        TopicPartition tp = new TopicPartition(topic, partition.partition());
        long end = kafka.bounds(topic, partition.partition()).end();
        Duration settle = delivery.retryMaxDuration().plus(Duration.ofMinutes(1));
        try (KafkaLog.Reader reader = kafka.reader()) {
            for (List<OffsetRange> chunk : chunks(partition.ranges(), CHUNK_OFFSETS)) {
                if (stop.getAsBoolean()) {
                    return;
                }
                List<ConsumerRecord<byte[], byte[]>> records = reader.read(tp, chunk, end, (int) CHUNK_OFFSETS);
                RedriveResult result;
                try {
                    result = pipeline.redrive(records).await().atMost(settle);
                } catch (IllegalStateException e) {
                    throw ReconcileException.unavailable("Delivery pipeline", "The delivery pipeline cannot take re-driven records now: " + e.getMessage());
                } catch (io.smallrye.mutiny.TimeoutException e) {
                    throw ReconcileException.unavailable("Firehose", "Firehose did not settle re-driven records of " + tp + " within " + settle
                            + "; check the delivery stream and start the re-drive again");
                }
                done.accept(new Chunk(chunk.stream().mapToLong(OffsetRange::count).sum(), result));
            }
        }
    }

    /** Splits ranges into chunks of at most {@code max} offsets each, in order. */
    static List<List<OffsetRange>> chunks(List<OffsetRange> ranges, long max) {
        List<List<OffsetRange>> out = new ArrayList<>();
        List<OffsetRange> current = new ArrayList<>();
        long size = 0;
        for (OffsetRange r : ranges) {
            long first = r.first();
            while (first <= r.last()) {
                long take = Math.min(r.last() - first + 1, max - size);
                current.add(new OffsetRange(first, first + take - 1));
                size += take;
                first += take;
                if (size == max) {
                    out.add(current);
                    current = new ArrayList<>();
                    size = 0;
                }
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** The union of two lists of ranges, merged and in order. */
    public static List<OffsetRange> union(List<OffsetRange> a, List<OffsetRange> b) {
        List<OffsetRange> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort(Comparator.comparingLong(OffsetRange::first));
        List<OffsetRange> out = new ArrayList<>();
        for (OffsetRange r : all) {
            if (!out.isEmpty() && r.first() <= out.get(out.size() - 1).last() + 1) {
                OffsetRange last = out.remove(out.size() - 1);
                out.add(new OffsetRange(last.first(), Math.max(last.last(), r.last())));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
