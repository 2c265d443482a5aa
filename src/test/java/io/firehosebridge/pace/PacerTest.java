package io.firehosebridge.pace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PacerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void spreadsWorkOverTimeAcrossCallers() {
        Pacer pacer = new Pacer(Duration.ZERO, now::get);
        assertThat(pacer.reserve(500, 1000)).isZero();
        // the next 500 wait for the first half second, and a third caller after them
        assertThat(pacer.reserve(500, 1000)).isEqualTo(500_000_000L);
        assertThat(pacer.reserve(100, 1000)).isEqualTo(1_000_000_000L);
        // a caller after the timeline caught up waits for nothing
        now.addAndGet(5_000_000_000L);
        assertThat(pacer.reserve(1, 1000)).isZero();
    }

    @Test
    void aRateChangeAppliesFromTheNextReservation() {
        Pacer pacer = new Pacer(Duration.ZERO, now::get);
        pacer.reserve(100, 1000); // 0.1 s
        assertThat(pacer.reserve(100, 100)).isEqualTo(100_000_000L); // then 1 s at the lower rate
        assertThat(pacer.reserve(1, 100)).isEqualTo(1_100_000_000L);
    }

    @Test
    void spendsUpToTheBurstOfUnusedTimeAfterAQuietSpell() {
        Pacer pacer = new Pacer(Duration.ofMillis(200), now::get);
        now.addAndGet(10_000_000_000L);
        // 0.2 s of unused time: 300 records at 1000/s start 0.2 s "early", the next wait only 0.1 s
        assertThat(pacer.reserve(300, 1000)).isZero();
        assertThat(pacer.reserve(1, 1000)).isEqualTo(100_000_000L);
    }

    @Test
    void awaitStopsWhenCancelledWithinAbout100Milliseconds() {
        Pacer pacer = new Pacer(Duration.ZERO, System::nanoTime);
        pacer.reserve(10, 1); // the next slot is 10 s away
        long start = System.nanoTime();
        AtomicInteger asked = new AtomicInteger();
        assertThat(pacer.await(1, 1, () -> asked.incrementAndGet() > 2)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(asked.get()).isEqualTo(3);
    }

    @Test
    void awaitAsksBeforeReservingEvenWithoutAWait() {
        Pacer pacer = new Pacer(Duration.ZERO, now::get);
        assertThat(pacer.await(1, 1000, () -> true)).isFalse();
        assertThat(pacer.await(1, 1000, () -> false)).as("a cancelled caller reserved nothing, so no wait").isTrue();
    }
}
