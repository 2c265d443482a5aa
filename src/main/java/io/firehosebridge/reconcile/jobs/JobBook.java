package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.scan.PartitionReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every replica's view of the job topic, built by reading it in order, and the rules that make all
 * replicas agree: who owns a job, which write counts, and what happens to a job whose owner went quiet.
 * No I/O here; {@link JobStore} feeds it, {@link ReconciliationJobs} acts on its answers.
 *
 * <p>Rules, applied in the topic's order (one partition, so every replica sees the same order):
 * <ul>
 * <li>a finished job never changes again;</li>
 * <li>a record of a higher epoch replaces the job (a new owner's claim): the first claim of an epoch wins, a second
 * claim of the same epoch by another replica is ignored, and so are late writes of an owner that lost the job;</li>
 * <li>within an epoch, only the owner's writes count, newest {@code seq} first.</li>
 * </ul>
 */
final class JobBook {

    private final Map<String, JobState> states = new LinkedHashMap<>();
    private final Map<String, Map<Integer, PartitionReport>> reports = new HashMap<>();
    private final Set<String> cancelRequested = new HashSet<>();

    /** Applies a job state read from (or just written to) the topic; true when it changed the job. */
    synchronized boolean apply(JobState s) {
        JobState current = states.get(s.id());
        if (!accepts(current, s)) {
            return false;
        }
        states.put(s.id(), s);
        return true;
    }

    static boolean accepts(JobState current, JobState s) {
        if (current == null) {
            return true;
        }
        if (current.finished()) {
            return false;
        }
        if (s.epoch() != current.epoch()) {
            return s.epoch() > current.epoch();
        }
        return Objects.equals(s.owner(), current.owner()) && s.seq() >= current.seq();
    }

    synchronized void report(String id, PartitionReport report) {
        reports.computeIfAbsent(id, k -> new TreeMap<>()).put(report.partition(), report);
    }

    synchronized void cancel(String id) {
        cancelRequested.add(id);
    }

    synchronized JobState get(String id) {
        return states.get(id);
    }

    synchronized boolean cancelRequested(String id) {
        return cancelRequested.contains(id);
    }

    /** The reports written so far, in partition order. */
    synchronized List<PartitionReport> reports(String id) {
        Map<Integer, PartitionReport> r = reports.get(id);
        return r == null ? List.of() : List.copyOf(r.values());
    }

    /** Jobs still queued or running whose owner wrote no heartbeat within the timeout (or handed them back). */
    synchronized List<JobState> orphans(Instant now, Duration ownerTimeout) {
        List<JobState> out = new ArrayList<>();
        for (JobState s : states.values()) {
            if (!s.finished() && orphaned(s, now, ownerTimeout)) {
                out.add(s);
            }
        }
        return out;
    }

    static boolean orphaned(JobState s, Instant now, Duration ownerTimeout) {
        return s.heartbeatAt() == null || Instant.EPOCH.equals(s.heartbeatAt()) || s.heartbeatAt().plus(ownerTimeout).isBefore(now);
    }

    /**
     * What a replica writes to take over an orphaned job: CANCELLED when a cancel was asked for, FAILED
     * once it has lost more owners than allowed (the job itself may be what kills them), else QUEUED
     * under the new owner, which resumes it from the partitions not yet done. A job handed back at
     * shutdown does not count as a lost owner.
     */
    static JobState takeOver(JobState s, String me, Instant now, Duration ownerTimeout, int maxLostOwners, boolean cancelRequested) {
        boolean handedBack = Instant.EPOCH.equals(s.heartbeatAt());
        String why = handedBack ? "its owner " + s.owner() + " shut down and handed it back"
                : "its owner " + s.owner() + " stopped heartbeating (last heartbeat " + s.heartbeatAt() + ", timeout " + ownerTimeout + ")";
        int lost = s.lostOwners() + (handedBack ? 0 : 1);
        if (cancelRequested) {
            return s.claimed(me, ReconciliationJobs.State.CANCELLED, lost, now, now, null,
                    now + ": cancelled by " + me + " after " + why);
        }
        if (lost > maxLostOwners) {
            String detail = "The job was not finished: " + why + "; it had already lost " + s.lostOwners() + " owner(s), more than "
                    + "bridge.reconcile.jobs.max-lost-owners (" + maxLostOwners + ") allows; " + s.partitionsDone().size() + " of "
                    + s.partitions().size() + " partitions were done. Start it again (smaller ranges if it is what stops its replicas).";
            return s.claimed(me, ReconciliationJobs.State.FAILED, lost, now, now,
                    new JobFailure(ReconcileException.Kind.INTERNAL, "Job owner lost", detail), now + ": marked FAILED by " + me + ": " + why);
        }
        return s.claimed(me, ReconciliationJobs.State.QUEUED, lost, now, null, null,
                now + ": taken over by " + me + " after " + why + "; resuming at partition " + s.partitionsDone().size() + " of "
                        + s.partitions().size());
    }

    /** Forgets the oldest finished jobs beyond {@code retained} (the topic keeps them until its retention). */
    synchronized void forgetBeyond(int retained) {
        int finished = (int) states.values().stream().filter(JobState::finished).count();
        if (finished <= retained) {
            return;
        }
        List<JobState> oldest = states.values().stream().filter(JobState::finished)
                .sorted(Comparator.comparing(JobState::createdAt)).limit(finished - retained).toList();
        for (JobState s : oldest) {
            states.remove(s.id());
            reports.remove(s.id());
            cancelRequested.remove(s.id());
        }
    }

    synchronized int size() {
        return states.size();
    }
}
