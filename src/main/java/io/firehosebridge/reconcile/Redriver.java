package io.firehosebridge.reconcile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.firehosebridge.delivery.DeliveryConfig;
import io.firehosebridge.delivery.DeliveryPipeline;
import io.firehosebridge.delivery.RedriveResult;

/**
 * Re-drives a finished reconciliation's missing offsets: reads them back from Kafka by offset and sends
 * them through the normal delivery path, marked re-driven. Offsets missing on either side are sent,
 * since Firehose writes every record to both search and the backup.
 */
@ApplicationScoped
public class Redriver {

    private static final Logger LOG = Logger.getLogger(Redriver.class);

    @Inject
    ReconciliationJobs jobs;

    @Inject
    KafkaLog kafka;

    @Inject
    DeliveryPipeline pipeline;

    @Inject
    DeliveryConfig delivery;

    @Inject
    ReconcileConfig config;

    public RedriveAnswer redrive(String id) {
        ReconciliationJobs.Job job = jobs.get(id);
        if (job.state() != ReconciliationJobs.State.SUCCEEDED) {
            throw ApiException.conflict("Reconciliation " + id + " is " + job.state() + "; only a SUCCEEDED one can be re-driven");
        }
        if (!delivery.enabled()) {
            throw ApiException.unavailable("Delivery pipeline", "The delivery pipeline is switched off (bridge.delivery.enabled=false), so nothing can be re-driven");
        }
        List<RedriveAnswer.PartitionOffsets> plan = new ArrayList<>();
        long missing = 0;
        for (PartitionReport r : job.reports()) {
            if (r.search().missingTruncated() || r.backup().missingTruncated()) {
                throw ApiException.unprocessable("Partition " + r.partition() + " has more missing ranges than the report lists ("
                        + r.search().missingRanges() + " / " + r.backup().missingRanges() + "); reconcile and re-drive smaller offset ranges");
            }
            List<OffsetRange> union = union(r.search().missing(), r.backup().missing());
            long n = union.stream().mapToLong(OffsetRange::count).sum();
            if (n > 0) {
                plan.add(new RedriveAnswer.PartitionOffsets(r.partition(), n, union));
                missing += n;
            }
        }
        if (missing > config.api().maxRedriveRecords()) {
            throw ApiException.unprocessable(missing + " offsets are missing, more than bridge.reconcile.api.max-redrive-records ("
                    + config.api().maxRedriveRecords() + ") allows in one call; reconcile and re-drive smaller offset ranges");
        }
        if (missing == 0) {
            return new RedriveAnswer(id, 0, 0, 0, 0, 0, plan);
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaLog.Reader reader = kafka.reader()) {
            for (RedriveAnswer.PartitionOffsets p : plan) {
                long end = kafka.bounds(job.topic, p.partition()).end();
                records.addAll(reader.read(new TopicPartition(job.topic, p.partition()), p.ranges(), end, config.api().maxRedriveRecords()));
            }
        }
        RedriveResult result;
        try {
            result = pipeline.redrive(records).await().atMost(delivery.retryMaxDuration().plus(Duration.ofMinutes(1)));
        } catch (IllegalStateException e) {
            throw ApiException.unavailable("Delivery pipeline", "The delivery pipeline cannot take re-driven records now: " + e.getMessage());
        } catch (io.smallrye.mutiny.TimeoutException e) {
            throw ApiException.unavailable("Firehose", "Firehose did not settle the re-driven records in time; check the delivery stream and retry");
        }
        LOG.infof("Re-drove reconciliation %s: %d missing offsets, %d read from Kafka, %d accepted by Firehose", id, missing, records.size(),
                result.resent());
        return new RedriveAnswer(id, missing, records.size(), result.resent(), result.invalid(), result.deadLettered(), plan);
    }

    /** The union of two lists of ranges, merged and in order. */
    static List<OffsetRange> union(List<OffsetRange> a, List<OffsetRange> b) {
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
