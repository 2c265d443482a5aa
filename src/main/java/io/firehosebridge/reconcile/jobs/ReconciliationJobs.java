package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.repair.DuplicateRepair;
import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.KafkaLog;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.Reconciler;
import io.firehosebridge.reconcile.scan.ReconciliationStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.RepeatedFailure;
import io.firehosebridge.background.TimedTask;
import io.quarkus.runtime.ShutdownEvent;
import io.firehosebridge.route.Routes;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Reconciliation and re-drive jobs, shared by every replica through the job topic ({@link JobStore}):
 * any replica shows a job's state, progress and reports and takes a cancel request; the replica that
 * accepted the job runs it, heartbeating its progress. A job whose owner stops heartbeating for
 * {@code bridge.reconcile.jobs.owner-timeout} is claimed by another replica and resumed from the
 * partitions not yet done, or marked FAILED with the reason once it has lost too many owners; a replica
 * shutting down hands its jobs back at once. Finished synchronous checks are kept the same way, so they
 * can be re-driven from any replica.
 */
@ApplicationScoped
public class ReconciliationJobs {

    private static final Logger LOG = Logger.getLogger(ReconciliationJobs.class);
    /** How long a GET or DELETE of an id not seen yet waits for this replica to read the topic up to now. */
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(3);

    /** Where a job is. Registered for reflection: job states and the API's answers hold it. */
    @RegisterForReflection
    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
    }

    @Inject
    Reconciler reconciler;

    @Inject
    Redriver redriver;

    @Inject
    DuplicateRepair repairer;

    @Inject
    KafkaLog kafka;

    @Inject
    JobStore store;

    @Inject
    ReconcileConfig config;

    @Inject
    Routes routes;

    @Inject
    BackgroundWork background;

    /** This replica, as named in job states: the pod name when there is one, plus a per-start suffix. */
    private final String me = replicaName();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private ExecutorService pool;
    private TimedTask heartbeats;
    private TimedTask takeovers;
    private final RepeatedFailure heartbeatFailures = new RepeatedFailure(LOG);
    private final RepeatedFailure takeoverFailures = new RepeatedFailure(LOG);

    void start(@Observes StartupEvent event) {
        if (!config.jobs().enabled()) {
            return;
        }
        pool = background.pool("reconciliation", config.api().jobThreads());
        store.start();
        // Two timed tasks, each with a thread of its own: heartbeats never wait behind a takeover's write and read-back (nor the reverse).
        Duration every = config.jobs().heartbeatInterval();
        heartbeats = background.every("reconciliation-jobs-heartbeat", every, every, this::heartbeat);
        takeovers = background.every("reconciliation-jobs-takeover", every, every, this::adoptOrphans);
        LOG.infof("Reconciliation jobs of this replica run as %s (job topic %s)", me, config.jobs().topic());
    }

    /** This replica's name in job states. */
    public String replica() {
        return me;
    }

    /** Validates every partition's range now (so bad input is a 4xx at once), then queues the job here. */
    public JobView submit(JobRequest request) {
        Reconciler.checkTopic(request.topic());
        List<Integer> partitions = request.partitions();
        if (partitions == null) {
            int n = kafka.partitions(request.topic());
            partitions = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                partitions.add(p);
            }
        }
        List<Reconciler.Range> ranges = new ArrayList<>();
        for (int p : partitions) {
            ranges.add(reconciler.resolve(request.topic(), p, request.from(), request.to(), config.api().maxJobOffsets(),
                    "split it over several jobs (bridge.reconcile.api.max-job-offsets)"));
        }
        return enqueue(newJob(JobState.Kind.RECONCILE, request.topic(), ranges, null, null));
    }

    /** Plans the re-drive of a finished reconciliation now (4xx at once), then queues it here as a job. */
    public JobView redrive(String sourceId) {
        JobState source = find(sourceId);
        List<RedriveAnswer.PartitionOffsets> plan = redriver.plan(source, store.book().reports(sourceId));
        return enqueue(newJob(JobState.Kind.REDRIVE, source.topic(), null, sourceId, plan));
    }

    /**
     * Queues a repair of a finished reconciliation's ranges here: the extra copies of every duplicated offset are
     * deleted from the search index, one copy kept ({@code dryRun}: only reported). 409 when the source is not a
     * SUCCEEDED reconciliation, or when the stream has no search destination.
     */
    public JobView repair(String sourceId, boolean dryRun) {
        JobState source = find(sourceId);
        DuplicateRepair.requireSearch(routes.routing(source.topic()), source.topic());
        if (source.kind() != JobState.Kind.RECONCILE) {
            throw ReconcileException.conflict("Job " + source.id() + " is a " + source.kind() + "; repair the reconciliation it came from, or reconcile again");
        }
        if (source.state() != State.SUCCEEDED) {
            throw ReconcileException.conflict("Reconciliation " + source.id() + " is " + source.state() + "; only a SUCCEEDED one can be repaired");
        }
        JobState job = newJob(JobState.Kind.REPAIR, source.topic(), source.ranges(), sourceId, null);
        RepairReport none = RepairReport.none(sourceId, dryRun);
        return enqueue(new JobState(job.id(), job.kind(), job.topic(), job.ranges(), job.source(), null, job.owner(), 0, 0, 0, State.QUEUED,
                job.createdAt(), null, null, job.heartbeatAt(), 0, 0, List.of(), null, null, List.of(), new JobState.Counts(0, null, none), none));
    }

    private JobState newJob(JobState.Kind kind, String topic, List<Reconciler.Range> ranges, String source,
            List<RedriveAnswer.PartitionOffsets> plan) {
        Instant now = Instant.now();
        JobState.RedriveCounts counts = kind == JobState.Kind.REDRIVE ? JobState.RedriveCounts.NONE : null;
        return new JobState(UUID.randomUUID().toString(), kind, topic, ranges, source, plan, me, 0, 0, 0, State.QUEUED, now, null, null, now,
                0, 0, List.of(), counts, null, List.of(), new JobState.Counts(0, counts, null), null);
    }

    private JobView enqueue(JobState job) {
        requireEnabled();
        if (stopping) {
            throw ReconcileException.unavailable("Reconciliation", "This replica is shutting down; send the request again");
        }
        store.write(job, true);
        Run run = new Run(job);
        runs.put(job.id(), run);
        try {
            pool.execute(run::execute);
        } catch (RejectedExecutionException e) {
            // stop() shut the pool down since the check above. The client is told to send the request again, so the
            // job ends here (CANCELLED, a finished state nobody adopts) rather than being handed back: run elsewhere as
            // well, it would be done twice (a re-drive would send its records twice).
            run.end(State.CANCELLED, null, JobStore.WRITE_TIMEOUT);
            throw ReconcileException.unavailable("Reconciliation", "This replica is shutting down; send the request again");
        }
        return view(job.id());
    }

    /** Reconciles one range now, in the caller's thread, and keeps the result as a finished job (re-drivable from any replica). */
    public JobView runNow(Reconciler.Range range) {
        requireEnabled();
        JobState job = newJob(JobState.Kind.RECONCILE, range.topic(), List.of(range), null, null);
        Instant started = Instant.now();
        PartitionReport report = reconciler.check(range, Reconciler.Progress.NONE).report();
        long objects = report.backup().scanned().objects() == null ? 0 : report.backup().scanned().objects();
        JobState done = job.progressed(1, State.SUCCEEDED, Instant.now(), range.size(), objects, List.of(range.partition()), null, null, started,
                Instant.now(), new JobState.Counts(objects, null, null), null);
        try {
            store.writeReport(job.id(), report);
            store.write(done, true);
        } catch (ReconcileException e) {
            // The report itself is sound; only its keeping failed, so answer it and keep it in this replica.
            LOG.warnf(e, "Reconciliation %s is kept in this replica only", job.id());
            store.book().report(job.id(), report);
            store.book().apply(done);
        }
        return view(job.id());
    }

    /** The job with this id as the API shows it; 404 when no replica knows it. */
    public JobView get(String id) {
        find(id);
        return view(id);
    }

    /**
     * Asks a queued or running job to stop, wherever it runs: the request goes to the job topic and its
     * owner stops at its next step (this replica waits a little for that). A finished job is left as it is.
     */
    public JobView cancel(String id) {
        JobState job = find(id);
        if (job.finished()) {
            return view(id);
        }
        store.writeCancel(new JobStore.CancelRequest(id, me, Instant.now()));
        Run run = runs.get(id);
        if (run != null) {
            run.cancelIfQueued(JobStore.WRITE_TIMEOUT);
        }
        long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JobState now = store.book().get(id);
            if (now == null || now.finished()) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return view(id);
    }

    private void requireEnabled() {
        if (!config.jobs().enabled()) {
            throw ReconcileException.unavailable("Reconciliation", "Reconciliation jobs are switched off in this process (bridge.reconcile.jobs.enabled=false)");
        }
    }

    private JobState find(String id) {
        requireEnabled();
        JobState job = store.book().get(id);
        if (job == null) {
            if (!store.sync(SYNC_TIMEOUT)) {
                throw ReconcileException.unavailable("Kafka", "This replica cannot read the job topic " + config.jobs().topic()
                        + " now, so it cannot tell whether job '" + ReconcileException.clip(id) + "' exists; retry shortly");
            }
            job = store.book().get(id);
        }
        if (job == null) {
            throw ReconcileException.notFound("No reconciliation '" + ReconcileException.clip(id) + "' (the most recent " + config.api().retainedJobs()
                    + " finished ones are kept, within " + config.jobs().retention() + ")");
        }
        return job;
    }

    /** The API view: this replica's live progress when it runs the job, else the latest state in the topic. */
    JobView view(String id) {
        Run run = runs.get(id);
        JobState s = run != null ? run.snapshot() : store.book().get(id);
        if (s == null) {
            throw ReconcileException.notFound("No reconciliation '" + ReconcileException.clip(id) + "'");
        }
        List<PartitionReport> reports = store.book().reports(id);
        long offsets = s.offsets();
        long checked = Math.min(s.offsetsChecked(), offsets);
        double share = offsets == 0 ? (s.state() == State.SUCCEEDED ? 1 : 0) : (double) checked / offsets;
        Long eta = null;
        if (s.state() == State.RUNNING && checked > 0 && s.startedAt() != null) {
            long elapsed = Duration.between(s.startedAt(), Instant.now()).toMillis();
            eta = Math.round(elapsed * (offsets - checked) / (double) checked / 1000.0);
        } else if (s.finished()) {
            eta = 0L;
        }
        ReconciliationStatus overall = null;
        if (s.state() == State.SUCCEEDED && s.kind() == JobState.Kind.RECONCILE) {
            overall = ReconciliationStatus.COMPLETE;
            for (PartitionReport r : reports) {
                if (r.status() == ReconciliationStatus.INCOMPLETE) {
                    overall = ReconciliationStatus.INCOMPLETE;
                } else if (r.status() == ReconciliationStatus.PENDING && overall == ReconciliationStatus.COMPLETE) {
                    overall = ReconciliationStatus.PENDING;
                }
            }
        }
        RedriveAnswer redrive = null;
        if (s.kind() == JobState.Kind.REDRIVE) {
            JobState.RedriveCounts c = s.redrive() == null ? JobState.RedriveCounts.NONE : s.redrive();
            redrive = new RedriveAnswer(s.source(), offsets, c.readFromKafka(), c.resent(), c.invalid(), c.deadLettered(), s.plan());
        }
        boolean cancelAsked = store.book().cancelRequested(id);
        return new JobView(id, s.kind(), s.state(), s.topic(), overall,
                new JobView.Progress(s.partitionsDone().size(), s.partitions().size(), checked, offsets, s.objectsChecked(),
                        Math.round(share * 1000) / 10.0, eta),
                s.createdAt(), s.startedAt(), s.finishedAt(), s.kind() == JobState.Kind.RECONCILE ? reports : null, redrive, s.repair(), s.error(),
                s.owner(), cancelAsked ? Boolean.TRUE : null, s.notes().isEmpty() ? null : s.notes());
    }

    /**
     * How long a heartbeat or takeover may block on the job topic: a third of the owner timeout (at most
     * 10 s), so a slow write or read-back cannot by itself let this replica's jobs look orphaned.
     */
    private Duration blockingBound() {
        Duration third = config.jobs().ownerTimeout().dividedBy(3);
        return third.compareTo(Duration.ofSeconds(10)) < 0 ? third : Duration.ofSeconds(10);
    }

    /**
     * Every heartbeat interval: writes this replica's jobs' progress. Goes on while this replica stops,
     * until its jobs are handed back, so they do not look orphaned while the delivery pipeline drains.
     */
    void heartbeat() {
        Duration bound = blockingBound();
        boolean failed = false;
        for (Run run : runs.values()) {
            try {
                if (store.book().cancelRequested(run.id)) {
                    run.cancelIfQueued(bound); // a DELETE on another replica; a running job sees it at its next step
                }
                run.heartbeat(bound);
            } catch (RuntimeException e) {
                failed = true;
                heartbeatFailures.warn(e, "Cannot write the heartbeat of job %s", run.id);
            }
        }
        if (!failed) {
            heartbeatFailures.clear();
        }
    }

    /** Every heartbeat interval, on its own thread: claims jobs whose owner went quiet. */
    void adoptOrphans() {
        if (stopping || !store.loaded()) {
            return; // a replica that has not read the whole topic would judge heartbeats by stale records
        }
        Instant now = Instant.now();
        for (JobState orphan : store.book().orphans(now, config.jobs().ownerTimeout())) {
            if (runs.containsKey(orphan.id()) || stopping) {
                continue; // ours and alive here; its heartbeat writes are what fail
            }
            try {
                adopt(orphan, now);
            } catch (RuntimeException e) {
                takeoverFailures.warn(e, "Cannot take over job %s", orphan.id());
            }
        }
    }

    private void adopt(JobState orphan, Instant now) {
        JobState claim = JobBook.takeOver(orphan, me, now, config.jobs().ownerTimeout(), config.jobs().maxLostOwners(),
                store.book().cancelRequested(orphan.id()));
        Duration bound = blockingBound();
        store.write(claim, false, bound);
        // Several replicas may claim at once: the first claim in the topic wins, as every replica reads it.
        if (!store.sync(bound)) {
            LOG.warnf("Claimed job %s but could not read the job topic back; leaving it to the next round", orphan.id());
            return;
        }
        JobState won = store.book().get(orphan.id());
        if (won == null || !me.equals(won.owner()) || won.epoch() != claim.epoch()) {
            LOG.infof("Job %s was claimed by %s first", orphan.id(), won == null ? "nobody" : won.owner());
            return;
        }
        LOG.warnf("Job %s (%s of %s): %s", won.id(), won.kind(), won.topic(), won.notes().get(won.notes().size() - 1));
        if (won.state() == State.QUEUED) {
            Run run = new Run(won);
            runs.put(won.id(), run);
            try {
                pool.execute(run::execute);
            } catch (RejectedExecutionException e) {
                runs.remove(won.id());
                run.handBack(); // this replica began to stop meanwhile: the next one takes it at once
            }
        }
    }

    /** A job this replica runs. */
    private final class Run implements Reconciler.Progress {
        final String id;
        private final JobState base;
        private final AtomicLong offsetsChecked;
        private final AtomicLong objectsChecked;
        private final List<Integer> done;
        /** Held across building and sending a state, so the records reach the topic in {@code seq} order. */
        private final Object writeLock = new Object();
        private long seq;
        private volatile State state;
        private volatile Instant startedAt;
        private volatile JobState.RedriveCounts counts;
        /** A repair's report so far. */
        private volatile RepairReport repaired;
        /** Counts as of the partitions in {@link #done}: what an owner taking over resumes from. */
        private volatile JobState.Counts atDone;
        private volatile boolean ended;

        Run(JobState base) {
            this.id = base.id();
            this.base = base;
            this.seq = base.seq();
            this.state = base.state();
            this.startedAt = base.startedAt();
            this.done = new ArrayList<>(base.partitionsDone());
            // A resumed job checks again the partition its old owner had not finished: its counts start from the finished ones.
            JobState.Resumed from = base.resumed();
            this.counts = from.redrive();
            this.repaired = from.repair();
            this.offsetsChecked = new AtomicLong(from.offsetsChecked());
            this.objectsChecked = new AtomicLong(from.objectsChecked());
            this.atDone = new JobState.Counts(from.objectsChecked(), from.redrive(), from.repair());
        }

        @Override
        public void offsets(long checked) {
            offsetsChecked.addAndGet(checked);
        }

        @Override
        public void objects(int checked) {
            objectsChecked.addAndGet(checked);
        }

        /** Stop: asked to by a DELETE anywhere, this replica is stopping, or another replica owns the job now. */
        @Override
        public boolean cancelled() {
            return stopping || store.book().cancelRequested(id) || lost();
        }

        private boolean lost() {
            JobState s = store.book().get(id);
            return s != null && (s.epoch() != base.epoch() || !me.equals(s.owner()));
        }

        synchronized JobState snapshot() {
            Instant finished = state == State.QUEUED || state == State.RUNNING ? null : Instant.now();
            return base.progressed(seq, state, Instant.now(), offsetsChecked.get(), objectsChecked.get(), done, counts, null, startedAt, finished,
                    atDone, repaired);
        }

        /** Writes the current progress with a fresh heartbeat; drops the job when another replica owns it now. */
        void heartbeat(Duration timeout) {
            if (lost()) {
                synchronized (this) {
                    ended = true;
                }
                runs.remove(id);
                JobState s = store.book().get(id);
                LOG.infof("Job %s is owned by %s now; this replica stops it", id, s == null ? "another replica" : s.owner());
                return;
            }
            write(state, null, null, timeout);
        }

        /** A queued job cancelled on its owner ends at once. */
        void cancelIfQueued(Duration timeout) {
            synchronized (this) {
                if (state != State.QUEUED || ended) {
                    return;
                }
            }
            end(State.CANCELLED, null, timeout);
        }

        /** Marks a partition finished, with the counts as of it. */
        private synchronized void finished(int partition) {
            done.add(partition);
            atDone = new JobState.Counts(objectsChecked.get(), counts, repaired);
        }

        /** Writes a progress record (applied here at once); nothing once ended. */
        private void write(State newState, JobFailure error, Instant finishedAt, Duration timeout) {
            synchronized (writeLock) {
                JobState s;
                synchronized (this) {
                    if (ended && finishedAt == null) {
                        return;
                    }
                    seq++;
                    s = base.progressed(seq, newState, Instant.now(), offsetsChecked.get(), objectsChecked.get(), List.copyOf(done), counts, error,
                            startedAt, finishedAt, atDone, repaired);
                }
                // A finished state is not applied at once: another replica may have claimed the job meanwhile, and then
                // its claim must win here as it does on every replica, by the topic's order.
                store.write(s, finishedAt == null, timeout);
            }
        }

        /** Ends the job here; the topic's order decides whether the end counts (it does not once another replica took the job). */
        void end(State finalState, JobFailure error, Duration timeout) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                state = finalState;
            }
            try {
                write(finalState, error, Instant.now(), timeout);
                if (store.sync(timeout) && lost()) {
                    JobState s = store.book().get(id);
                    LOG.warnf("Job %s ended %s here, but %s had taken it over first; its outcome counts", id, finalState,
                            s == null ? "another replica" : s.owner());
                }
            } catch (RuntimeException e) {
                // Nothing else is written for it here: the topic still shows it queued or running, so once its heartbeat is
                // missing for the owner timeout another replica takes it over and ends it from the partitions done.
                LOG.warnf(e, "Job %s ended %s%s but that cannot be written to the job topic; another replica takes it over after %s",
                        id, finalState, error == null ? "" : " (" + error.detail() + ")", config.jobs().ownerTimeout());
            } finally {
                runs.remove(id);
            }
        }

        void execute() {
            if (ended) {
                return;
            }
            try {
                if (cancelled()) {
                    finishStopped();
                    return;
                }
                synchronized (this) {
                    state = State.RUNNING;
                    if (startedAt == null) {
                        startedAt = Instant.now();
                    }
                }
                write(State.RUNNING, null, null, JobStore.WRITE_TIMEOUT);
                switch (base.kind()) {
                    case RECONCILE -> reconcile();
                    case REDRIVE -> redrive();
                    case REPAIR -> repair();
                }
                if (cancelled()) {
                    finishStopped();
                } else {
                    end(State.SUCCEEDED, null, JobStore.WRITE_TIMEOUT);
                }
            } catch (ReconcileException e) {
                fail(JobFailure.of(e));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Job %s failed", id);
                fail(new JobFailure(ReconcileException.Kind.INTERNAL, "Reconciliation failed",
                        "An internal error stopped this job; see the log of replica " + me + " for " + id));
            } finally {
                if (!ended && !stopping) {
                    runs.remove(id);
                }
            }
        }

        private void fail(JobFailure error) {
            if (lost() || stopping) {
                finishStopped();
                return;
            }
            end(State.FAILED, error, JobStore.WRITE_TIMEOUT);
        }

        /** Stopped early: CANCELLED when asked; nothing written when it was lost or this replica stops (the new owner carries on). */
        private void finishStopped() {
            if (stopping || lost()) {
                synchronized (this) {
                    ended = !stopping;
                }
                if (!stopping) {
                    runs.remove(id);
                }
                return;
            }
            end(State.CANCELLED, null, JobStore.WRITE_TIMEOUT);
        }

        /**
         * Runs {@code work} (given the partition's index in the job) for each partition not done yet, in order; after each,
         * unless cancelled meanwhile, runs what the work returned to keep its result, marks the partition finished and
         * writes the progress. Stops at the first cancellation.
         */
        private void eachPartitionLeft(IntFunction<Runnable> work) {
            List<Integer> partitions = base.partitions();
            for (int i = 0; i < partitions.size(); i++) {
                if (cancelled()) {
                    return;
                }
                synchronized (this) {
                    if (done.contains(partitions.get(i))) {
                        continue;
                    }
                }
                Runnable keep = work.apply(i);
                if (cancelled()) {
                    return;
                }
                keep.run();
                finished(partitions.get(i));
                write(State.RUNNING, null, null, JobStore.WRITE_TIMEOUT);
            }
        }

        private void reconcile() {
            eachPartitionLeft(i -> {
                PartitionReport report = reconciler.check(base.ranges().get(i), this).report();
                return () -> store.writeReport(id, report);
            });
        }

        private void redrive() {
            eachPartitionLeft(i -> {
                redriver.send(base.topic(), base.plan().get(i), this::cancelled, chunk -> {
                    offsetsChecked.addAndGet(chunk.offsets());
                    synchronized (this) {
                        counts = counts.plus(chunk.result());
                    }
                });
                return () -> {
                };
            });
            LOG.infof("Re-drive %s of reconciliation %s: %s", id, base.source(), counts);
        }

        private void repair() {
            boolean dryRun = repaired.dryRun();
            eachPartitionLeft(i -> {
                // Counted even when cancelled meanwhile, so a cancelled repair still reports what it deleted; a partition
                // done again after a takeover finds only what is left, and the counts resume from the finished partitions.
                RepairReport partition = repairer.repair(base.ranges().get(i), base.source(), dryRun, this::cancelled, offsetsChecked::addAndGet);
                synchronized (this) {
                    repaired = repaired.plus(partition, config.repair().maxListedOffsets());
                }
                return () -> {
                };
            });
            LOG.infof("Repair %s%s of reconciliation %s: %d duplicated offsets, %d copies deleted (%d to delete), %d changed meanwhile", id,
                    dryRun ? " (dry run)" : "", base.source(), repaired.duplicatedOffsets(), repaired.copiesDeleted(), repaired.copiesToDelete(),
                    repaired.copiesChanged());
        }

        /** At shutdown: hands the job back (heartbeat {@link Instant#EPOCH}) so another replica resumes it at once. */
        void handBack() {
            synchronized (writeLock) {
                JobState s;
                synchronized (this) {
                    if (ended) {
                        return;
                    }
                    ended = true;
                    seq++;
                    s = base.progressed(seq, State.QUEUED, Instant.EPOCH, offsetsChecked.get(), objectsChecked.get(), List.copyOf(done), counts,
                            null, startedAt, null, atDone, repaired);
                }
                store.write(s, true);
            }
        }
    }

    /**
     * Runs before the delivery pipeline drains at shutdown (its observer has priority PLATFORM_BEFORE; lower
     * runs first): from now on no job starts here and running ones stop at their next step, so a re-drive
     * sends no further chunk and the pipeline's wait for its in-flight budget ends. The jobs are handed
     * back later, in {@link #stop}.
     */
    void stopJobs(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE - 1) ShutdownEvent event) {
        stopping = true;
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (heartbeats != null) {
            heartbeats.stopNow();
            takeovers.stopNow();
        }
        List<Run> mine = new ArrayList<>(runs.values());
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Run run : mine) {
            try {
                run.handBack();
                LOG.infof("Handed job %s back for another replica to resume", run.id);
            } catch (RuntimeException e) {
                LOG.warnf(e, "Cannot hand job %s back; another replica takes it over after %s", run.id, config.jobs().ownerTimeout());
            }
        }
        store.stop();
    }

    private static String replicaName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = "replica";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
}
