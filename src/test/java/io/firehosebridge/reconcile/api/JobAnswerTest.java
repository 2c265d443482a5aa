package io.firehosebridge.reconcile.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.jobs.JobFailure;
import io.firehosebridge.reconcile.jobs.JobState;
import io.firehosebridge.reconcile.jobs.JobView;
import io.firehosebridge.reconcile.jobs.ReconciliationJobs.State;

/**
 * A job as the API answers it: the JSON of a FAILED job is the one the API answered before the job topic kept a
 * {@link JobFailure} (then the job view held an {@link ApiError}): its error in the problem shape, instance included.
 */
class JobAnswerTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-30T12:00:05Z");

    /** Serialized as the service serializes: Jackson with its modules, instants as ISO-8601. */
    private final ObjectMapper json = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void aFailedJobIsAnsweredInTheFormerShape() throws Exception {
        JobView failed = new JobView("job-7", JobState.Kind.RECONCILE, State.FAILED, "clicks", null,
                new JobView.Progress(0, 1, 0, 10, 0, 0.0, 4L), T0, T0, T1, List.of(), null, null,
                new JobFailure(ReconcileException.Kind.UNAVAILABLE, "Delivery pipeline unavailable", "The delivery pipeline is switched off"),
                "replica-a", null, List.of("a note"));

        // What the API answered for this job before (JobView with an ApiError error, serialized by that version's classes).
        String before = "{\"id\":\"job-7\",\"kind\":\"RECONCILE\",\"state\":\"FAILED\",\"topic\":\"clicks\","
                + "\"progress\":{\"partitionsDone\":0,\"partitions\":1,\"offsetsChecked\":0,\"offsets\":10,\"objectsChecked\":0,\"percent\":0.0,"
                + "\"etaSeconds\":4},\"createdAt\":\"2026-11-30T12:00:00Z\",\"startedAt\":\"2026-11-30T12:00:00Z\","
                + "\"finishedAt\":\"2026-11-30T12:00:05Z\",\"partitions\":[],"
                + "\"error\":{\"type\":\"urn:kafka-firehose-bridge:problem:delivery-pipeline-unavailable\",\"title\":\"Delivery pipeline unavailable\","
                + "\"status\":503,\"detail\":\"The delivery pipeline is switched off\",\"instance\":\"/reconciliations/job-7\"},"
                + "\"owner\":\"replica-a\",\"notes\":[\"a note\"]}";
        assertThat(json.writeValueAsString(JobAnswer.of(failed))).isEqualTo(before);
    }

    @Test
    void everyKindIsAnsweredWithItsStatus() {
        for (ReconcileException.Kind kind : ReconcileException.Kind.values()) {
            JobView failed = new JobView("job-8", JobState.Kind.REPAIR, State.FAILED, "clicks", null, null, T0, T0, T1, null, null, null,
                    new JobFailure(kind, "Job owner lost", "gone"), "a", null, List.of());
            assertThat(JobAnswer.of(failed).error())
                    .isEqualTo(ApiError.of(kind.status(), "Job owner lost", "gone", "/reconciliations/job-8"));
        }
    }

    @Test
    void aJobThatDidNotFailHasNoError() throws Exception {
        JobView running = new JobView("job-9", JobState.Kind.RECONCILE, State.RUNNING, "clicks", null, null, T0, T0, null, List.of(), null,
                null, null, "a", true, List.of());
        assertThat(JobAnswer.of(running).error()).isNull();
        assertThat(json.writeValueAsString(JobAnswer.of(running))).doesNotContain("\"error\"").contains("\"cancelRequested\":true");
    }
}
