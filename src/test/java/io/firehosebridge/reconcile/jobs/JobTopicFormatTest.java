package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.api.ApiError;
import io.firehosebridge.reconcile.scan.Reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.firehosebridge.reconcile.jobs.ReconciliationJobs.State;

/**
 * The job topic is compacted, so it keeps records written by earlier versions for as long as their jobs are retained: a
 * failed job's record from before {@link JobFailure} (its error in the API's problem shape) must still be read, as must the
 * records written now. And during a rolling upgrade (or a rollback) replicas of both versions share the topic: a replica of
 * the former version must read a failure written now as a sensible problem.
 */
class JobTopicFormatTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    /** Written by the version whose job states held the API's error shape (serialized by that version's classes). */
    private static final String FAILED_OWNER_LOST_BEFORE = "{\"id\":\"job-1\",\"kind\":\"RECONCILE\",\"topic\":\"clicks\","
            + "\"ranges\":[{\"topic\":\"clicks\",\"partition\":0,\"from\":0,\"to\":10,\"end\":10}],\"owner\":\"d\",\"epoch\":3,\"seq\":0,"
            + "\"lostOwners\":3,\"state\":\"FAILED\",\"createdAt\":\"2026-11-30T12:00:00Z\",\"startedAt\":\"2026-11-30T12:00:00Z\","
            + "\"finishedAt\":\"2026-11-30T12:01:00Z\",\"heartbeatAt\":\"2026-11-30T12:01:00Z\",\"offsetsChecked\":0,\"objectsChecked\":0,"
            + "\"partitionsDone\":[],\"error\":{\"type\":\"urn:kafka-firehose-bridge:problem:job-owner-lost\",\"title\":\"Job owner lost\","
            + "\"status\":500,\"detail\":\"The job was not finished: its owner c stopped heartbeating\",\"instance\":\"/reconciliations/job-1\"},"
            + "\"notes\":[\"earlier note\",\"marked FAILED by d\"],\"atDone\":{\"objectsChecked\":0,\"redrive\":null,\"repair\":null}}";

    /** The same, for a re-drive that failed on a backend. */
    private static final String FAILED_KAFKA_UNAVAILABLE_BEFORE = "{\"id\":\"job-2\",\"kind\":\"REDRIVE\",\"topic\":\"clicks\",\"source\":\"job-1\","
            + "\"plan\":[],\"owner\":\"a\",\"epoch\":0,\"seq\":2,\"lostOwners\":0,\"state\":\"FAILED\",\"createdAt\":\"2026-11-30T12:00:00Z\","
            + "\"startedAt\":\"2026-11-30T12:00:00Z\",\"finishedAt\":\"2026-11-30T12:00:00Z\",\"heartbeatAt\":\"2026-11-30T12:00:00Z\","
            + "\"offsetsChecked\":0,\"objectsChecked\":0,\"partitionsDone\":[],"
            + "\"redrive\":{\"readFromKafka\":0,\"resent\":0,\"invalid\":0,\"deadLettered\":0},"
            + "\"error\":{\"type\":\"urn:kafka-firehose-bridge:problem:kafka-unavailable\",\"title\":\"Kafka unavailable\",\"status\":503,"
            + "\"detail\":\"Kafka at the configured bootstrap servers cannot be reached or did not answer: timeout\","
            + "\"instance\":\"/reconciliations/job-2\"},\"notes\":[],"
            + "\"atDone\":{\"objectsChecked\":0,\"redrive\":{\"readFromKafka\":0,\"resent\":0,\"invalid\":0,\"deadLettered\":0},\"repair\":null}}";

    private final JobStore store = new JobStore();

    JobTopicFormatTest() {
        // As strict as it gets: an unknown field fails the read instead of being skipped.
        store.json = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Test
    void aFailedJobWrittenInTheFormerShapeIsStillRead() {
        store.apply("job-1", FAILED_OWNER_LOST_BEFORE.getBytes(StandardCharsets.UTF_8));
        JobState job = store.book().get("job-1");
        assertThat(job).as("the former record is read").isNotNull();
        assertThat(job.state()).isEqualTo(State.FAILED);
        assertThat(job.epoch()).isEqualTo(3);
        assertThat(job.notes()).containsExactly("earlier note", "marked FAILED by d");
        assertThat(job.error()).isEqualTo(new JobFailure(ReconcileException.Kind.INTERNAL, "Job owner lost",
                "The job was not finished: its owner c stopped heartbeating"));
    }

    @Test
    void theFormerStatusGivesTheKindOfFailure() {
        store.apply("job-2", FAILED_KAFKA_UNAVAILABLE_BEFORE.getBytes(StandardCharsets.UTF_8));
        JobState job = store.book().get("job-2");
        assertThat(job).as("the former record is read").isNotNull();
        assertThat(job.redrive()).isEqualTo(JobState.RedriveCounts.NONE);
        assertThat(job.error().kind()).isEqualTo(ReconcileException.Kind.UNAVAILABLE);
        assertThat(job.error().title()).isEqualTo("Kafka unavailable");
    }

    @Test
    void aFailedJobIsWrittenWithItsKindAndTheFormerFieldsAndReadBack() {
        JobState failed = failedJob("job-3", ReconcileException.unavailable("Search cluster", "The search cluster cannot be reached"));
        byte[] written = store.serialize(failed, false);
        assertThat(new String(written, StandardCharsets.UTF_8)).contains("\"error\":{\"type\":\"urn:kafka-firehose-bridge:problem:"
                + "search-cluster-unavailable\",\"title\":\"Search cluster unavailable\",\"status\":503,"
                + "\"detail\":\"The search cluster cannot be reached\",\"kind\":\"UNAVAILABLE\"}");
        store.apply("job-3", written);
        assertThat(store.book().get("job-3")).isEqualTo(failed);
    }

    @Test
    void everyKindOfFailureIsReadBackAsItsKind() {
        for (ReconcileException.Kind kind : ReconcileException.Kind.values()) {
            JobState failed = failedJob("job-" + kind, new ReconcileException(kind, "Title of " + kind, "Detail of " + kind));
            store.apply(failed.id(), store.serialize(failed, false));
            assertThat(store.book().get(failed.id()).error()).isEqualTo(failed.error());
        }
    }

    /**
     * A replica of the former version reads the error of a job state as {@link ApiError} (unchanged since) with the service's
     * object mapper, which skips unknown fields: it answers a failure written now with its status, type, title and detail.
     */
    @Test
    void aReplicaOfTheFormerVersionReadsAFailureWrittenNowAsItsProblem() throws Exception {
        ObjectMapper former = new ObjectMapper().findAndRegisterModules().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        for (ReconcileException e : List.of(ReconcileException.unavailable("Kafka", "Kafka cannot be reached: timeout"),
                ReconcileException.unprocessable("Offsets 5 to 9 are beyond the log"), ReconcileException.notFound("No partition 7"))) {
            JsonNode record = former.readTree(store.serialize(failedJob("job-4", e), false));
            ApiError read = former.treeToValue(record.get("error"), ApiError.class);
            assertThat(read).as("the former version's reading of %s", e.kind())
                    .isEqualTo(new ApiError(ApiError.of(e.kind().status(), e.title(), e.getMessage(), null).type(), e.title(),
                            e.kind().status(), e.getMessage(), null));
        }
        JsonNode ownerLost = former.readTree(store.serialize(failedJob("job-5", null), false));
        assertThat(former.treeToValue(ownerLost.get("error"), ApiError.class))
                .isEqualTo(new ApiError("urn:kafka-firehose-bridge:problem:job-owner-lost", "Job owner lost", 500,
                        "The job was not finished: its owner c stopped heartbeating", null));
    }

    /** A FAILED reconciliation that ended on {@code e}, or (null) whose owner was lost. */
    private static JobState failedJob(String id, ReconcileException e) {
        JobFailure failure = e != null ? JobFailure.of(e)
                : new JobFailure(ReconcileException.Kind.INTERNAL, "Job owner lost", "The job was not finished: its owner c stopped heartbeating");
        return new JobState(id, JobState.Kind.RECONCILE, "clicks", List.of(new Reconciler.Range("clicks", 0, 0, 10, 10)), null,
                null, "a", 0, 4, 0, State.FAILED, T0, T0, T0, T0, 10, 2, List.of(0), null, failure, List.of(), null, null);
    }
}
