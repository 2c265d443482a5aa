package io.firehosebridge.reconcile;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A reconciliation as the API shows it: where it is, how far it got and, once done, the report.
 *
 * @param id the reconciliation's id (for GET, DELETE and re-drive)
 * @param state QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param topic the topic
 * @param status the worst partition status once SUCCEEDED (COMPLETE, PENDING, INCOMPLETE)
 * @param progress how far it got
 * @param createdAt when it was asked for
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param partitions the per-partition reports (as they finish)
 * @param error why it FAILED
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, ReconciliationJobs.State state, String topic, ReconciliationStatus status, Progress progress,
        Instant createdAt, Instant startedAt, Instant finishedAt, List<PartitionReport> partitions, ApiError error) {

    /**
     * @param partitionsDone partitions fully checked
     * @param partitions partitions to check
     * @param offsetsChecked offsets checked so far (a search page counts half, the rest when its partition is done)
     * @param offsets offsets to check
     * @param objectsChecked S3 objects checked so far
     * @param percent share of offsets checked
     * @param etaSeconds estimated seconds left, from the rate so far; null before any progress
     */
    @RegisterForReflection
    public record Progress(int partitionsDone, int partitions, long offsetsChecked, long offsets, long objectsChecked, double percent,
            Long etaSeconds) {
    }
}
