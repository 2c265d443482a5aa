package io.firehosebridge.background;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one place the service starts threads for work in the background, one kind of executor per kind of work:
 * <ul>
 * <li>timed tasks ({@link #every}, {@link #retry}) share one timer, which keeps a thread for each task it holds, so a
 * long run of one (a verification) never delays another (a job's heartbeat);</li>
 * <li>a blocking loop (a topic reader's poll loop) gets a daemon thread of its own ({@link #loop});</li>
 * <li>work handed out in parallel gets a named pool ({@link #pool}, {@link #elasticPool}).</li>
 * </ul>
 * Every thread is a named daemon. The owner of a task or pool stops it where its own shutdown needs that (a job is
 * handed back only once its runs stopped); whatever is left is shut down when the container destroys this bean, after
 * every {@code ShutdownEvent} observer ran.
 */
@ApplicationScoped
public class BackgroundWork {

    private final AtomicInteger timedTasks = new AtomicInteger();
    private final List<ExecutorService> pools = new CopyOnWriteArrayList<>();
    /** Made on first use: CDI's client proxy of this bean is an instance too, and must hold no executor. */
    private ScheduledThreadPoolExecutor timer;

    /**
     * Runs {@code task} first after {@code firstAfter}, then again {@code interval} after each run ended. A run that
     * throws is logged and the task goes on (a scheduled executor would silently stop it).
     */
    public TimedTask every(String name, Duration firstAfter, Duration interval, Runnable task) {
        return start(new TimedTask(this, name, () -> {
            task.run();
            return interval;
        }, () -> interval), firstAfter);
    }

    /**
     * Runs {@code attempt} now and again after a failed one (it returned false or threw), waiting as {@code backoff}
     * says, until one succeeds or the task is stopped.
     */
    public TimedTask retry(String name, Backoff backoff, BooleanSupplier attempt) {
        int[] failures = { 0 };
        return start(new TimedTask(this, name, () -> attempt.getAsBoolean() ? null : backoff.delay(++failures[0]),
                () -> backoff.delay(++failures[0])), Duration.ZERO);
    }

    /** Starts a blocking loop (e.g. a topic reader's poll loop) on a daemon thread named {@code name} of its own. */
    public Thread loop(String name, Runnable loop) {
        Thread thread = daemons(name, false).newThread(loop);
        thread.start();
        return thread;
    }

    /** A pool of {@code threads} threads named {@code name-1, name-2, ...} that queues what it cannot run yet. */
    public ExecutorService pool(String name, int threads) {
        return keep(new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), daemons(name, true)));
    }

    /** A pool (threads {@code name-1, name-2, ...}) that starts a thread for every task no idle one takes, and ends threads idle for a minute. */
    public ExecutorService elasticPool(String name) {
        return keep(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), daemons(name, true)));
    }

    private ExecutorService keep(ExecutorService pool) {
        pools.add(pool);
        return pool;
    }

    private TimedTask start(TimedTask task, Duration firstAfter) {
        // One thread per task held: each task runs on its own schedule, whatever the others do.
        timer().setCorePoolSize(Math.max(1, timedTasks.incrementAndGet()));
        task.submit(firstAfter);
        return task;
    }

    synchronized ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, daemons("background-timer", true));
            timer.setRemoveOnCancelPolicy(true);
        }
        return timer;
    }

    void ended(TimedTask task) {
        timer().setCorePoolSize(Math.max(1, timedTasks.decrementAndGet()));
    }

    /** Daemon threads named {@code name-1, name-2, ...}, or {@code name} alone when not {@code numbered}. */
    private static ThreadFactory daemons(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    @PreDestroy
    synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        pools.forEach(ExecutorService::shutdownNow);
    }
}
