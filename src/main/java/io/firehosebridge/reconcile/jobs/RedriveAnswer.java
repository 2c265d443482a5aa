package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.scan.OffsetRange;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a re-drive job sends and has done so far.
 *
 * @param source the reconciliation whose missing offsets are re-driven
 * @param missing offsets missing in search or backup (or both) in that reconciliation
 * @param readFromKafka records found in Kafka at those offsets
 * @param resent records Firehose accepted again (marked re-driven)
 * @param invalid records skipped because they are not valid events (they were dead letters the first time)
 * @param deadLettered records Firehose kept refusing, now in the dead-letter topic
 * @param partitions the offsets to re-drive per partition
 */
@RegisterForReflection
public record RedriveAnswer(String source, long missing, long readFromKafka, long resent, long invalid, long deadLettered,
        List<PartitionOffsets> partitions) {

    /** Offsets of one partition, as inclusive ranges. */
    @RegisterForReflection
    public record PartitionOffsets(int partition, long offsets, List<OffsetRange> ranges) {
    }
}
