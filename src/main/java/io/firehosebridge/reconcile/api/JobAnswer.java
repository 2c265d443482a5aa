package io.firehosebridge.reconcile.api;

import io.firehosebridge.reconcile.jobs.JobFailure;
import io.firehosebridge.reconcile.jobs.JobState;
import io.firehosebridge.reconcile.jobs.JobView;
import io.firehosebridge.reconcile.jobs.RedriveAnswer;
import io.firehosebridge.reconcile.jobs.ReconciliationJobs;
import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.ReconciliationStatus;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A job as the API answers it: its {@link JobView}, with why it FAILED in the API's one error shape ({@link ApiError}, whose
 * instance is the job's path). Documented in OpenAPI under the name it has always had there, {@code JobView}.
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
 * @param error why it FAILED, as a problem
 * @param owner the replica running it (or that ran it)
 * @param cancelRequested true once a DELETE asked for it to stop
 * @param notes changes of owner, with the reason (a replica that stopped, a takeover)
 */
@RegisterForReflection
@Schema(name = "JobView")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobAnswer(String id, JobState.Kind kind, ReconciliationJobs.State state, String topic, ReconciliationStatus status,
        JobView.Progress progress, Instant createdAt, Instant startedAt, Instant finishedAt, List<PartitionReport> partitions,
        RedriveAnswer redrive, RepairReport repair, ApiError error, String owner, Boolean cancelRequested, List<String> notes) {

    /** The answer for {@code job}. */
    static JobAnswer of(JobView job) {
        JobFailure failure = job.error();
        ApiError error = failure == null ? null
                : ApiError.of(failure.kind().status(), failure.title(), failure.detail(), "/reconciliations/" + job.id());
        return new JobAnswer(job.id(), job.kind(), job.state(), job.topic(), job.status(), job.progress(), job.createdAt(), job.startedAt(),
                job.finishedAt(), job.partitions(), job.redrive(), job.repair(), error, job.owner(), job.cancelRequested(), job.notes());
    }
}
