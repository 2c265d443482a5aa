package io.firehosebridge.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

/**
 * Reconciliations by id: asynchronous jobs over many partitions or large ranges (run on a small pool,
 * with progress and cancellation), and finished synchronous checks (kept so they can be re-driven).
 * Held in this instance's memory, the most recent {@code bridge.reconcile.api.retained-jobs} of them.
 */
@ApplicationScoped
public class ReconciliationJobs {

    private static final Logger LOG = Logger.getLogger(ReconciliationJobs.class);

    /** Where a reconciliation is. */
    public enum State {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
    }

    @Inject
    Reconciler reconciler;

    @Inject
    KafkaLog kafka;

    @Inject
    ReconcileConfig config;

    private final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private ExecutorService pool;

    /** One reconciliation. */
    public final class Job implements Reconciler.Progress {
        final String id = UUID.randomUUID().toString();
        final String topic;
        final List<Reconciler.Range> ranges;
        final Instant createdAt = Instant.now();
        final long offsets;
        final AtomicLong offsetsChecked = new AtomicLong();
        final AtomicLong objectsChecked = new AtomicLong();
        final AtomicInteger partitionsDone = new AtomicInteger();
        final List<PartitionReport> reports = Collections.synchronizedList(new ArrayList<>());
        volatile State state = State.QUEUED;
        volatile Instant startedAt;
        volatile Instant finishedAt;
        volatile ApiError error;
        volatile boolean cancelled;

        Job(String topic, List<Reconciler.Range> ranges) {
            this.topic = topic;
            this.ranges = ranges;
            this.offsets = ranges.stream().mapToLong(Reconciler.Range::size).sum();
        }

        public String id() {
            return id;
        }

        public State state() {
            return state;
        }

        public List<PartitionReport> reports() {
            synchronized (reports) {
                return List.copyOf(reports);
            }
        }

        @Override
        public void offsets(long checked) {
            offsetsChecked.addAndGet(checked);
        }

        @Override
        public void objects(int checked) {
            objectsChecked.addAndGet(checked);
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }

        void run() {
            if (cancelled) {
                return;
            }
            state = State.RUNNING;
            startedAt = Instant.now();
            try {
                for (Reconciler.Range range : ranges) {
                    if (cancelled) {
                        break;
                    }
                    PartitionReport report = reconciler.check(range, this).report();
                    if (cancelled) {
                        break;
                    }
                    reports.add(report);
                    partitionsDone.incrementAndGet();
                }
                state = cancelled ? State.CANCELLED : State.SUCCEEDED;
            } catch (ApiException e) {
                error = ApiError.of(e.status(), e.title(), e.getMessage(), "/reconciliations/" + id);
                state = State.FAILED;
            } catch (RuntimeException e) {
                LOG.errorf(e, "Reconciliation %s failed", id);
                error = ApiError.of(500, "Reconciliation failed", "An internal error stopped this reconciliation; see the service log for " + id,
                        "/reconciliations/" + id);
                state = State.FAILED;
            } finally {
                finishedAt = Instant.now();
            }
        }

        /** The API view. */
        public JobView view() {
            long checked = Math.min(offsetsChecked.get(), offsets);
            double share = offsets == 0 ? (state == State.SUCCEEDED ? 1 : 0) : (double) checked / offsets;
            Long eta = null;
            if (state == State.RUNNING && checked > 0 && startedAt != null) {
                long elapsed = Duration.between(startedAt, Instant.now()).toMillis();
                eta = Math.round(elapsed * (offsets - checked) / (double) checked / 1000.0);
            } else if (state != State.QUEUED && state != State.RUNNING) {
                eta = 0L;
            }
            ReconciliationStatus overall = null;
            List<PartitionReport> done = reports();
            if (state == State.SUCCEEDED) {
                overall = ReconciliationStatus.COMPLETE;
                for (PartitionReport r : done) {
                    if (r.status() == ReconciliationStatus.INCOMPLETE) {
                        overall = ReconciliationStatus.INCOMPLETE;
                    } else if (r.status() == ReconciliationStatus.PENDING && overall == ReconciliationStatus.COMPLETE) {
                        overall = ReconciliationStatus.PENDING;
                    }
                }
            }
            return new JobView(id, state, topic, overall,
                    new JobView.Progress(partitionsDone.get(), ranges.size(), checked, offsets, objectsChecked.get(),
                            Math.round(share * 1000) / 10.0, eta),
                    createdAt, startedAt, finishedAt, done, error);
        }
    }

    /** Validates every partition's range now (so bad input is a 4xx at once), then queues the job. */
    public Job submit(JobRequest request) {
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
        Job job = new Job(request.topic(), ranges);
        retain(job);
        pool().execute(job::run);
        return job;
    }

    /** Runs one range now, in the caller's thread, and keeps the result as a finished reconciliation. */
    public Job runNow(Reconciler.Range range) {
        Job job = new Job(range.topic(), List.of(range));
        job.run();
        if (job.state == State.FAILED && job.error != null) {
            throw new ApiException(job.error.status(), job.error.title(), job.error.detail());
        }
        retain(job);
        return job;
    }

    /** The reconciliation with this id; 404 when unknown (or no longer retained). */
    public Job get(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw ApiException.notFound("No reconciliation '" + ApiText.clip(id) + "' in this instance (the most recent "
                    + config.api().retainedJobs() + " are kept)");
        }
        return job;
    }

    /** Cancels a queued or running job; a finished one is left as it is. */
    public Job cancel(String id) {
        Job job = get(id);
        job.cancelled = true;
        if (job.state == State.QUEUED) {
            job.state = State.CANCELLED;
            job.finishedAt = Instant.now();
        }
        return job;
    }

    private void retain(Job job) {
        synchronized (jobs) {
            jobs.put(job.id, job);
            var it = jobs.values().iterator();
            while (jobs.size() > config.api().retainedJobs() && it.hasNext()) {
                Job oldest = it.next();
                if (oldest.state != State.QUEUED && oldest.state != State.RUNNING) {
                    it.remove();
                }
            }
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(config.api().jobThreads(), r -> {
                Thread t = new Thread(r, "reconciliation-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @PreDestroy
    void stop() {
        if (pool != null) {
            jobs.values().forEach(j -> j.cancelled = true);
            pool.shutdownNow();
        }
    }
}
