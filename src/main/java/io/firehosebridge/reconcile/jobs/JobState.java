package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.Reconciler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A job as the job topic holds it (key: the job's id): what to check or re-drive, which replica runs it
 * and under which ownership epoch, its heartbeat and progress. Per-partition reports are separate
 * records, so this one stays small. Immutable: every change is a new record.
 *
 * @param id the job's id
 * @param kind a reconciliation, a re-drive or a repair
 * @param topic the Kafka topic
 * @param ranges the partition ranges a reconciliation checks (or a repair repairs)
 * @param source the reconciliation whose missing offsets a re-drive sends (or whose ranges a repair repairs)
 * @param plan the offsets a re-drive sends, per partition
 * @param owner the replica running it
 * @param epoch raised by each change of owner; the first record of a new epoch in the topic wins
 * @param seq the owner's write counter within an epoch (an older write read back late is ignored)
 * @param lostOwners owners that stopped heartbeating while they held it
 * @param state where it is
 * @param createdAt when it was asked for
 * @param startedAt when it (first) started
 * @param finishedAt when it ended
 * @param heartbeatAt the owner's last sign of life; {@link Instant#EPOCH} when the owner handed it back at shutdown
 * @param offsetsChecked offsets checked (reconciliation) or re-driven (re-drive) so far
 * @param objectsChecked S3 objects checked so far
 * @param partitionsDone partitions finished (their reports or re-drives are written)
 * @param redrive a re-drive's counts so far
 * @param error why it FAILED
 * @param notes changes of owner, with the reason
 * @param atDone objects checked and re-drive counts as of the finished partitions: what a new owner resumes from
 *        (the live counts also hold the partition in progress, which the new owner does again)
 * @param repair a repair's report so far (dry run or not)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobState(String id, Kind kind, String topic, List<Reconciler.Range> ranges, String source,
        List<RedriveAnswer.PartitionOffsets> plan, String owner, int epoch, long seq, int lostOwners, ReconciliationJobs.State state,
        Instant createdAt, Instant startedAt, Instant finishedAt, Instant heartbeatAt, long offsetsChecked, long objectsChecked,
        List<Integer> partitionsDone, RedriveCounts redrive, JobFailure error, List<String> notes, Counts atDone, RepairReport repair) {

    /** What a job does. */
    public enum Kind {
        RECONCILE, REDRIVE, REPAIR
    }

    /**
     * A re-drive's counts.
     *
     * @param readFromKafka records found in Kafka at the missing offsets
     * @param resent records Firehose accepted again
     * @param invalid records skipped as invalid events
     * @param deadLettered records Firehose kept refusing, now dead letters
     */
    @RegisterForReflection
    public record RedriveCounts(long readFromKafka, long resent, long invalid, long deadLettered) {
        public static final RedriveCounts NONE = new RedriveCounts(0, 0, 0, 0);

        RedriveCounts plus(io.firehosebridge.delivery.RedriveResult r) {
            return new RedriveCounts(readFromKafka + r.requested(), resent + r.resent(), invalid + r.invalid(), deadLettered + r.deadLettered());
        }
    }

    /**
     * Counts as of a job's finished partitions.
     *
     * @param objectsChecked S3 objects checked in the finished partitions
     * @param redrive a re-drive's counts in the finished partitions
     * @param repair a repair's report of the finished partitions
     */
    @RegisterForReflection
    public record Counts(long objectsChecked, RedriveCounts redrive, RepairReport repair) {
    }

    public JobState {
        ranges = ranges == null ? null : List.copyOf(ranges);
        plan = plan == null ? null : List.copyOf(plan);
        partitionsDone = partitionsDone == null ? List.of() : List.copyOf(partitionsDone);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** Whether it ended (SUCCEEDED, FAILED or CANCELLED). */
    public boolean finished() {
        return state == ReconciliationJobs.State.SUCCEEDED || state == ReconciliationJobs.State.FAILED
                || state == ReconciliationJobs.State.CANCELLED;
    }

    /** Partitions it covers, in order. */
    public List<Integer> partitions() {
        if (kind == Kind.REDRIVE) {
            return plan.stream().map(RedriveAnswer.PartitionOffsets::partition).toList();
        }
        return ranges.stream().map(Reconciler.Range::partition).toList();
    }

    /** Offsets it covers. */
    public long offsets() {
        if (kind == Kind.REDRIVE) {
            return plan.stream().mapToLong(RedriveAnswer.PartitionOffsets::offsets).sum();
        }
        return ranges.stream().mapToLong(Reconciler.Range::size).sum();
    }

    /** The same job written again by its owner (write number {@code newSeq}) in another state, with this progress. */
    JobState progressed(long newSeq, ReconciliationJobs.State newState, Instant heartbeat, long checked, long objects, List<Integer> done,
            RedriveCounts counts, JobFailure failure, Instant started, Instant finished, Counts countsAtDone, RepairReport repaired) {
        return new JobState(id, kind, topic, ranges, source, plan, owner, epoch, newSeq, lostOwners, newState, createdAt, started, finished,
                heartbeat, checked, objects, done, counts, failure, notes, countsAtDone, repaired);
    }

    /**
     * Where an owner taking this job over resumes its counts: offsets of the finished partitions, and the
     * objects and re-drive counts as of them (a half-done partition is done again, so its counts are not kept).
     * A record without {@code atDone} (written before it existed) resumes from its live counts.
     */
    Resumed resumed() {
        long offsets;
        if (kind != Kind.REDRIVE) {
            offsets = ranges.stream().filter(r -> partitionsDone.contains(r.partition())).mapToLong(Reconciler.Range::size).sum();
        } else {
            offsets = plan.stream().filter(p -> partitionsDone.contains(p.partition())).mapToLong(RedriveAnswer.PartitionOffsets::offsets).sum();
        }
        Counts c = atDone != null ? atDone : new Counts(objectsChecked, redrive, repair);
        RedriveCounts r = c.redrive() == null && kind == Kind.REDRIVE ? RedriveCounts.NONE : c.redrive();
        RepairReport p = c.repair() == null && repair != null ? RepairReport.none(repair.source(), repair.dryRun()) : c.repair();
        return new Resumed(offsets, c.objectsChecked(), r, p);
    }

    /** A resumed owner's starting counts. */
    record Resumed(long offsetsChecked, long objectsChecked, RedriveCounts redrive, RepairReport repair) {
    }

    /** A claim by a new owner (next epoch): resumed, cancelled or failed, with a note saying why. */
    JobState claimed(String newOwner, ReconciliationJobs.State newState, int lost, Instant now, Instant finished, JobFailure failure,
            String note) {
        List<String> n = new ArrayList<>(notes);
        n.add(note);
        return new JobState(id, kind, topic, ranges, source, plan, newOwner, epoch + 1, 0, lost, newState, createdAt, startedAt, finished, now,
                offsetsChecked, objectsChecked, partitionsDone, redrive, failure, n, atDone, repair);
    }
}
