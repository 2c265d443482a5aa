package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.scan.Reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.firehosebridge.reconcile.jobs.ReconciliationJobs.State;

/**
 * The job topic is compacted, so it keeps records written by earlier versions for as long as their jobs are retained: a
 * failed job's record from before {@link JobFailure} (its error in the API's problem shape) must still be read, as must the
 * records written now.
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
    void aFailedJobIsWrittenWithoutTheApiShapeAndReadBack() {
        JobState failed = new JobState("job-3", JobState.Kind.RECONCILE, "clicks", List.of(new Reconciler.Range("clicks", 0, 0, 10, 10)), null,
                null, "a", 0, 4, 0, State.FAILED, T0, T0, T0, T0, 10, 2, List.of(0), null,
                JobFailure.of(ReconcileException.unavailable("Search cluster", "The search cluster cannot be reached")), List.of(), null, null);
        byte[] written = store.serialize(failed, false);
        assertThat(new String(written, StandardCharsets.UTF_8))
                .contains("\"error\":{\"kind\":\"UNAVAILABLE\",\"title\":\"Search cluster unavailable\",\"detail\":")
                .doesNotContain("\"status\"", "\"instance\"", "urn:");
        store.apply("job-3", written);
        assertThat(store.book().get("job-3")).isEqualTo(failed);
    }
}
