package io.firehosebridge.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackgroundWorkTest {

    private static final Duration SOON = Duration.ofMillis(10);
    private final BackgroundWork background = new BackgroundWork();

    @AfterEach
    void stop() {
        background.stop();
    }

    @Test
    void aTaskThatThrowsGoesOnAtItsNextTurn() {
        AtomicInteger runs = new AtomicInteger();
        TimedTask task = background.every("throws", SOON, SOON, () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("broken");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
        task.stopNow();
    }

    @Test
    void aLongRunOfOneTaskDoesNotDelayAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TimedTask slow = background.every("slow", Duration.ZERO, SOON, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger beats = new AtomicInteger();
        TimedTask heartbeat = background.every("heartbeat", SOON, SOON, beats::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> beats.get() >= 5);
        release.countDown();
        slow.stopNow();
        heartbeat.stopNow();
    }

    @Test
    void aRunCarriesTheTasksNameAndStopNowInterruptsIt() {
        AtomicReference<String> name = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        TimedTask task = background.every("ledger-verifier", Duration.ZERO, Duration.ofHours(1), () -> {
            name.set(Thread.currentThread().getName());
            started.countDown();
            try {
                Thread.sleep(10_000);
                interrupted.set(false);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0);
        task.stopNow();
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(interrupted.get()));
        assertThat(name.get()).isEqualTo("ledger-verifier");
        assertThat(task.ended()).isTrue();
    }

    @Test
    void stopWaitsForTheRunUnderWayAndNoneFollows() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Boolean> finished = new AtomicReference<>(false);
        TimedTask task = background.every("flush", Duration.ZERO, SOON, () -> {
            runs.incrementAndGet();
            started.countDown();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        task.stop(Duration.ofSeconds(5));
        assertThat(finished.get()).as("the run under way ended before stop returned").isTrue();
        int after = runs.get();
        Thread.sleep(100);
        assertThat(runs.get()).as("no run after stop").isEqualTo(after);
    }

    @Test
    void retryTriesAgainWithBackoffUntilAnAttemptSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        TimedTask task = background.retry("index-template", new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), () -> {
            if (attempts.incrementAndGet() == 2) {
                throw new IllegalStateException("refused");
            }
            return attempts.get() >= 4;
        });
        await().atMost(Duration.ofSeconds(5)).until(task::ended);
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void poolsAndLoopsRunOnNamedDaemonThreads() throws Exception {
        ExecutorService pool = background.pool("reconciliation", 2);
        assertThat(pool.submit(() -> Thread.currentThread().getName() + Thread.currentThread().isDaemon()).get())
                .isEqualTo("reconciliation-1true");
        AtomicReference<String> loop = new AtomicReference<>();
        background.loop("reconcile-jobs-reader", () -> loop.set(Thread.currentThread().getName())).join(5_000);
        assertThat(loop.get()).isEqualTo("reconcile-jobs-reader");
        background.stop();
        assertThat(pool.isShutdown()).as("the bean's end shuts down what its owners left").isTrue();
    }
}
