package io.firehosebridge.background;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * A task on the {@link BackgroundWork} timer: each run says when the next one is due, or that there is none. Its runs
 * never overlap. While one runs, its thread carries the task's name, so a thread dump names the work.
 */
public final class TimedTask {

    private static final Logger LOG = Logger.getLogger(TimedTask.class);

    private final BackgroundWork owner;
    private final String name;
    /** One run; returns the wait before the next, or null when the task is done. */
    private final Supplier<Duration> run;
    /** The wait before the next run after one that threw. */
    private final Supplier<Duration> afterFailure;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledFuture<?> pending;
    private boolean ended;

    TimedTask(BackgroundWork owner, String name, Supplier<Duration> run, Supplier<Duration> afterFailure) {
        this.owner = owner;
        this.name = name;
        this.run = run;
        this.afterFailure = afterFailure;
    }

    synchronized void submit(Duration delay) {
        if (ended) {
            return;
        }
        try {
            pending = owner.timer().schedule(this::runOnce, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The timer was shut down with the application: nothing runs any more.
            ended = true;
        }
    }

    private void runOnce() {
        if (ended()) {
            return;
        }
        Duration next;
        Thread thread = Thread.currentThread();
        String threadName = thread.getName();
        running.lock();
        if (ended()) {
            // Stopped while this run waited for the lock: stop() saw no run under way and returned, so none may start now.
            running.unlock();
            return;
        }
        thread.setName(name);
        try {
            next = run.get();
        } catch (RuntimeException e) {
            // Thrown out of a scheduled executor's task it would end every later run, silently.
            next = afterFailure.get();
            LOG.errorf(e, "Background task %s failed; it runs again in %d ms", name, next.toMillis());
        } finally {
            thread.setName(threadName);
            running.unlock();
        }
        if (next == null) {
            end();
        } else {
            submit(next);
        }
    }

    /** Whether the task has ended: stopped, or its work done. */
    public synchronized boolean ended() {
        return ended;
    }

    /** Ends the task; returns the future of its latest run, or null when it had ended before. */
    private ScheduledFuture<?> end() {
        ScheduledFuture<?> latest;
        synchronized (this) {
            if (ended) {
                return null;
            }
            ended = true;
            latest = pending;
        }
        owner.ended(this);
        return latest;
    }

    /** No further run; waits up to {@code wait} for a run under way to end. */
    public void stop(Duration wait) {
        ScheduledFuture<?> latest = end();
        if (latest != null) {
            latest.cancel(false);
        }
        try {
            if (running.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                running.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No further run; a run under way is interrupted. */
    public void stopNow() {
        ScheduledFuture<?> latest = end();
        if (latest != null) {
            latest.cancel(true);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
