package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.ReconciliationStatus;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A reconciliation, re-drive or repair job as any replica sees it: where it is, how far it got, which replica runs it
 * and, once done, the report. The API answers it as {@code reconcile.api.JobAnswer}, with the failure in its error shape.
 *
 * @param id the job's id (for GET, DELETE and re-drive)
 * @param kind RECONCILE, REDRIVE or REPAIR
 * @param state QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param topic the topic
 * @param status the worst partition status once a reconciliation SUCCEEDED (COMPLETE, PENDING, INCOMPLETE)
 * @param progress how far it got
 * @param createdAt when it was asked for
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param partitions a reconciliation's per-partition reports (as they finish)
 * @param redrive a re-drive's plan and counts (as they grow)
 * @param repair a repair's counts and report: what was deleted (or, in a dry run, would be) and what was kept (as they grow)
 * @param error why it FAILED
 * @param owner the replica running it (or that ran it)
 * @param cancelRequested true once a DELETE asked for it to stop
 * @param notes changes of owner, with the reason (a replica that stopped, a takeover)
 */
public record JobView(String id, JobState.Kind kind, ReconciliationJobs.State state, String topic, ReconciliationStatus status,
        Progress progress, Instant createdAt, Instant startedAt, Instant finishedAt, List<PartitionReport> partitions,
        RedriveAnswer redrive, RepairReport repair, JobFailure error, String owner, Boolean cancelRequested, List<String> notes) {

    /**
     * How far a job got; the API answers it as it is.
     *
     * @param partitionsDone partitions fully checked (or re-driven, or repaired)
     * @param partitions partitions to check (or re-drive)
     * @param offsetsChecked offsets checked (or re-driven) so far; another replica sees the owner's count of its last heartbeat
     * @param offsets offsets to check (or re-drive)
     * @param objectsChecked S3 objects checked so far
     * @param percent share of offsets checked
     * @param etaSeconds estimated seconds left, from the rate so far; null before any progress
     */
    @RegisterForReflection
    public record Progress(int partitionsDone, int partitions, long offsetsChecked, long offsets, long objectsChecked, double percent,
            Long etaSeconds) {
    }
}
