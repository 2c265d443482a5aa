package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.OffsetRange;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.Reconciler;
import io.firehosebridge.reconcile.scan.ReconciliationStatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.firehosebridge.reconcile.jobs.ReconciliationJobs.State;

/** The rules that make every replica agree on a job's owner and on what happens when the owner goes quiet. */
class JobBookTest {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static JobState job(String owner, int epoch, long seq, State state, Instant heartbeat, List<Integer> done) {
        List<Reconciler.Range> ranges = List.of(new Reconciler.Range("clicks", 0, 0, 100, 100), new Reconciler.Range("clicks", 1, 0, 50, 50),
                new Reconciler.Range("clicks", 2, 10, 20, 20));
        return new JobState("job-1", JobState.Kind.RECONCILE, "clicks", ranges, null, null, owner, epoch, seq, 0, state, T0, T0, null, heartbeat,
                0, 0, done, null, null, List.of(), null, null);
    }

    @Test
    void acceptsOnlyTheOwnersNewerWritesWithinAnEpoch() {
        JobBook book = new JobBook();
        assertThat(book.apply(job("a", 0, 0, State.QUEUED, T0, List.of()))).isTrue();
        assertThat(book.apply(job("a", 0, 2, State.RUNNING, T0.plusSeconds(5), List.of(0)))).isTrue();
        // The owner's older write, read back after a newer one applied at once: ignored.
        assertThat(book.apply(job("a", 0, 1, State.RUNNING, T0.plusSeconds(1), List.of()))).isFalse();
        // Another replica writing in the same epoch without a claim: ignored.
        assertThat(book.apply(job("b", 0, 9, State.SUCCEEDED, T0.plusSeconds(6), List.of(0, 1, 2)))).isFalse();
        assertThat(book.get("job-1").seq()).isEqualTo(2);
        assertThat(book.get("job-1").partitionsDone()).containsExactly(0);
    }

    @Test
    void theFirstClaimOfAnEpochWinsAndTheLosersLaterWritesAreIgnored() {
        JobBook book = new JobBook();
        JobState stale = job("a", 0, 3, State.RUNNING, T0, List.of(0));
        book.apply(stale);
        Instant now = T0.plus(TIMEOUT).plusSeconds(1);
        JobState byB = JobBook.takeOver(stale, "b", now, TIMEOUT, 2, false);
        JobState byC = JobBook.takeOver(stale, "c", now, TIMEOUT, 2, false);
        assertThat(book.apply(byB)).isTrue();
        assertThat(book.apply(byC)).as("second claim of the same epoch").isFalse();
        assertThat(book.get("job-1").owner()).isEqualTo("b");
        // The old owner wakes up and writes progress of its epoch: too late.
        assertThat(book.apply(job("a", 0, 4, State.RUNNING, now, List.of(0, 1)))).isFalse();
        assertThat(book.get("job-1").partitionsDone()).containsExactly(0);
        // The new owner's own progress counts from seq 0 of its epoch.
        assertThat(book.apply(byB.progressed(1, State.RUNNING, now, 150, 3, List.of(0, 1), null, null, T0, null, null, null))).isTrue();
        assertThat(book.get("job-1").partitionsDone()).containsExactly(0, 1);
    }

    @Test
    void anOldOwnersEndReadAfterANewOwnersClaimLosesOnEveryReplica() {
        JobBook book = new JobBook();
        JobState running = job("a", 0, 3, State.RUNNING, T0, List.of(0, 1));
        book.apply(running);
        JobState claim = JobBook.takeOver(running, "b", T0.plus(TIMEOUT).plusSeconds(1), TIMEOUT, 2, false);
        // The topic holds B's claim first, then A's late SUCCEEDED: every replica, A included, keeps B's claim.
        assertThat(book.apply(claim)).isTrue();
        assertThat(book.apply(running.progressed(4, State.SUCCEEDED, T0.plusSeconds(40), 170, 5, List.of(0, 1, 2), null, null, T0,
                T0.plusSeconds(40), null, null))).isFalse();
        assertThat(book.get("job-1").owner()).isEqualTo("b");
        assertThat(book.get("job-1").state()).isEqualTo(State.QUEUED);
    }

    @Test
    void aResumedJobCountsFromItsFinishedPartitionsOnly() {
        // Partitions 0 and 1 finished with 7 objects checked; partition 2 was half done (3 more objects, 5 more offsets).
        JobState stale = job("a", 0, 6, State.RUNNING, T0, List.of(0, 1)).progressed(6, State.RUNNING, T0, 155, 10, List.of(0, 1), null, null,
                T0, null, new JobState.Counts(7, null, null), null);
        JobState.Resumed from = JobBook.takeOver(stale, "b", T0.plusSeconds(31), TIMEOUT, 2, false).resumed();
        assertThat(from.offsetsChecked()).isEqualTo(150);
        assertThat(from.objectsChecked()).isEqualTo(7);
        assertThat(from.redrive()).isNull();

        JobState.RedriveCounts atDone = new JobState.RedriveCounts(100, 98, 1, 1);
        JobState redrive = new JobState("job-2", JobState.Kind.REDRIVE, "clicks", null, "job-1",
                List.of(new RedriveAnswer.PartitionOffsets(0, 100, List.of(new OffsetRange(0, 99))),
                        new RedriveAnswer.PartitionOffsets(3, 40, List.of(new OffsetRange(10, 49)))),
                "a", 0, 4, 0, State.RUNNING, T0, T0, null, T0, 120, 0, List.of(0), new JobState.RedriveCounts(120, 118, 1, 1), null, List.of(),
                new JobState.Counts(0, atDone, null), null);
        JobState.Resumed redriveFrom = JobBook.takeOver(redrive, "b", T0.plusSeconds(31), TIMEOUT, 2, false).resumed();
        assertThat(redriveFrom.offsetsChecked()).isEqualTo(100);
        assertThat(redriveFrom.redrive()).as("the 20 records of partition 3 are sent again, so counted once").isEqualTo(atDone);

        RepairReport repairedAtDone = new RepairReport("job-1", false, 10, 10, 12, 12, 0, 0, List.of(), false);
        JobState repair = new JobState("job-3", JobState.Kind.REPAIR, "clicks", job("a", 0, 0, State.RUNNING, T0, List.of()).ranges(), "job-1",
                null, "a", 0, 4, 0, State.RUNNING, T0, T0, null, T0, 120, 0, List.of(0),
                null, null, List.of(), new JobState.Counts(0, null, repairedAtDone),
                new RepairReport("job-1", false, 15, 15, 20, 20, 0, 0, List.of(), false));
        JobState.Resumed repairFrom = JobBook.takeOver(repair, "b", T0.plusSeconds(31), TIMEOUT, 2, false).resumed();
        assertThat(repairFrom.offsetsChecked()).as("partition 0's 100 offsets").isEqualTo(100);
        assertThat(repairFrom.repair()).as("the half-done partition is repaired again, so only the finished one counts").isEqualTo(repairedAtDone);
    }

    @Test
    void aFinishedJobNeverChangesAgain() {
        JobBook book = new JobBook();
        JobState done = job("a", 0, 5, State.SUCCEEDED, T0, List.of(0, 1, 2));
        book.apply(done);
        assertThat(book.apply(JobBook.takeOver(job("a", 0, 4, State.RUNNING, T0, List.of(0)), "b", T0.plusSeconds(60), TIMEOUT, 2, false)))
                .isFalse();
        assertThat(book.get("job-1").state()).isEqualTo(State.SUCCEEDED);
        assertThat(book.orphans(T0.plus(Duration.ofDays(1)), TIMEOUT)).isEmpty();
    }

    @Test
    void orphansAreJobsWhoseOwnerIsSilentBeyondTheTimeoutOrHandedThemBack() {
        JobBook book = new JobBook();
        book.apply(job("a", 0, 1, State.RUNNING, T0, List.of()));
        assertThat(book.orphans(T0.plus(TIMEOUT), TIMEOUT)).isEmpty();
        assertThat(book.orphans(T0.plus(TIMEOUT).plusMillis(1), TIMEOUT)).extracting(JobState::id).containsExactly("job-1");
        // Handed back at shutdown: an orphan at once.
        book.apply(job("a", 0, 2, State.QUEUED, Instant.EPOCH, List.of()));
        assertThat(book.orphans(T0, TIMEOUT)).extracting(JobState::id).containsExactly("job-1");
    }

    @Test
    void takeoverResumesFromThePartitionsNotDoneAndNamesTheReason() {
        JobState stale = job("a", 0, 7, State.RUNNING, T0, List.of(0, 1));
        Instant now = T0.plusSeconds(31);
        JobState claim = JobBook.takeOver(stale, "b", now, TIMEOUT, 2, false);
        assertThat(claim.owner()).isEqualTo("b");
        assertThat(claim.epoch()).isEqualTo(1);
        assertThat(claim.seq()).isZero();
        assertThat(claim.state()).isEqualTo(State.QUEUED);
        assertThat(claim.lostOwners()).isEqualTo(1);
        assertThat(claim.partitionsDone()).containsExactly(0, 1);
        assertThat(claim.heartbeatAt()).isEqualTo(now);
        assertThat(claim.notes()).singleElement().asString().contains("taken over by b", "owner a stopped heartbeating", T0.toString(),
                "resuming at partition 2 of 3");
        assertThat(claim.finishedAt()).isNull();
    }

    @Test
    void aJobHandedBackAtShutdownIsResumedWithoutCountingALostOwner() {
        JobState handedBack = job("a", 0, 3, State.QUEUED, Instant.EPOCH, List.of(0));
        JobState claim = JobBook.takeOver(handedBack, "b", T0, TIMEOUT, 0, false);
        assertThat(claim.state()).isEqualTo(State.QUEUED);
        assertThat(claim.lostOwners()).isZero();
        assertThat(claim.notes()).singleElement().asString().contains("owner a shut down and handed it back");
    }

    @Test
    void aJobThatLostTooManyOwnersIsMarkedFailedWithTheReason() {
        JobState twiceLost = new JobState("job-1", JobState.Kind.RECONCILE, "clicks", List.of(new Reconciler.Range("clicks", 0, 0, 10, 10)), null,
                null, "c", 2, 4, 2, State.RUNNING, T0, T0, null, T0, 0, 0, List.of(), null, null, List.of("earlier note"), null, null);
        JobState claim = JobBook.takeOver(twiceLost, "d", T0.plusSeconds(60), TIMEOUT, 2, false);
        assertThat(claim.state()).isEqualTo(State.FAILED);
        assertThat(claim.finishedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(claim.lostOwners()).isEqualTo(3);
        assertThat(claim.error().kind()).isEqualTo(ReconcileException.Kind.INTERNAL);
        assertThat(claim.error().title()).isEqualTo("Job owner lost");
        assertThat(claim.error().detail()).contains("owner c stopped heartbeating", "already lost 2 owner(s)", "max-lost-owners (2)",
                "0 of 1 partitions were done");
        assertThat(claim.notes()).containsExactly("earlier note", claim.notes().get(1));
        assertThat(claim.notes().get(1)).contains("marked FAILED by d");
    }

    @Test
    void anOrphanWithACancelRequestIsCancelledNotResumed() {
        JobState claim = JobBook.takeOver(job("a", 0, 1, State.RUNNING, T0, List.of()), "b", T0.plusSeconds(40), TIMEOUT, 2, true);
        assertThat(claim.state()).isEqualTo(State.CANCELLED);
        assertThat(claim.finishedAt()).isNotNull();
        assertThat(claim.notes()).singleElement().asString().contains("cancelled by b");
    }

    @Test
    void forgetsTheOldestFinishedJobsBeyondTheRetainedCount() {
        JobBook book = new JobBook();
        for (int i = 0; i < 5; i++) {
            book.apply(new JobState("j" + i, JobState.Kind.RECONCILE, "t", List.of(), null, null, "a", 0, 0, 0, i == 4 ? State.RUNNING : State.SUCCEEDED,
                    T0.plusSeconds(i), T0, T0, T0, 0, 0, List.of(), null, null, List.of(), null, null));
        }
        book.forgetBeyond(2);
        assertThat(book.get("j0")).isNull();
        assertThat(book.get("j1")).isNull();
        assertThat(book.get("j2")).isNotNull();
        assertThat(book.get("j3")).isNotNull();
        assertThat(book.get("j4")).as("running jobs are never forgotten").isNotNull();
    }

    @Test
    void jobTopicRecordsRoundTripAndALargeReportIsStoredCompressed() throws Exception {
        JobStore store = new JobStore();
        store.json = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        JobState state = job("a", 0, 1, State.RUNNING, Instant.EPOCH, List.of(1));
        store.apply("job-1", store.serialize(state, false));
        assertThat(store.book().get("job-1")).isEqualTo(state);

        List<OffsetRange> missing = new ArrayList<>();
        for (long o = 0; o < 2000; o += 2) {
            missing.add(new OffsetRange(o * 1000, o * 1000 + 7));
        }
        PartitionReport.Side side = new PartitionReport.Side(1, 8000, missing, 1000, false,
                new PartitionReport.Duplicates(0, 0, List.of()), new PartitionReport.Scanned(List.of("clicks"), 1L, null, null, null, null, null));
        PartitionReport report = new PartitionReport("clicks", 1, 0, 2_000_000, 2_000_000, ReconciliationStatus.INCOMPLETE, side, side,
                new PartitionReport.Failed(0, List.of(), List.of()), T0, T0, 12,
                PartitionReport.SEARCH_AND_BACKUP, List.of(new PartitionReport.RouteShare("default", "clicks", 2_000_000)));
        byte[] raw = store.serialize(report, false);
        byte[] stored = store.serialize(report, true);
        assertThat(stored.length).as("compressed %d of %d bytes", stored.length, raw.length).isLessThan(raw.length / 3);
        store.apply("job-1/p/1", stored);
        store.apply("job-1/cancel", store.serialize(new JobStore.CancelRequest("job-1", "b", T0), false));
        assertThat(store.book().reports("job-1")).containsExactly(report);
        assertThat(store.book().cancelRequested("job-1")).isTrue();
    }
}
