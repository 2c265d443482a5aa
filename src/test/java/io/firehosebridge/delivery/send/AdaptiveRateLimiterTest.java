package io.firehosebridge.delivery.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class AdaptiveRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private AdaptiveRateLimiter limiter(double max) {
        return new AdaptiveRateLimiter(max, 10, 0.9, 0.05, Duration.ofMillis(500), now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void isUnlimitedUntilFirehoseThrottles() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        assertThat(rate.reserve(500)).isZero();
        assertThat(rate.reserve(500)).isZero();
        assertThat(rate.currentRate()).isInfinite();
    }

    @Test
    void throttlingDropsJustBelowWhatFirehoseAccepts() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(400, 100, 1_000);
        assertThat(rate.currentRate()).isEqualTo(900);
        // 900 records/s: after the first 180 records, 450 more wait half a second.
        rate.reserve(180);
        assertThat(rate.reserve(450)).isBetween(Duration.ofMillis(150), Duration.ofMillis(250));
    }

    @Test
    void decreasesOncePerCoolDown() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(0, 500, 1_000);
        rate.onResponse(0, 500, 100);
        assertThat(rate.currentRate()).isEqualTo(900);
    }

    @Test
    void climbsBackToTheCeilingWithinAboutASecondThenProbesSlowly() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(0, 500, 1_000);
        advance(Duration.ofMillis(1_000));
        rate.onResponse(500, 0, 1_000);
        assertThat(rate.currentRate()).isCloseTo(1_000, Offset.offset(1.0));
        advance(Duration.ofMillis(500));
        rate.onResponse(500, 0, 1_000);
        // Probing at 5 %/s: half a second adds about 2.5 %.
        assertThat(rate.currentRate()).isBetween(1_020.0, 1_030.0);
    }

    @Test
    void findsARaisedQuotaWithinSecondsAfterAThrottlingStorm() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(0, 500, 1_000); // the quota was cut to 1,000 records/s
        for (int i = 0; i < 450; i++) { // restored to 10,000: no more throttling for 45 s
            advance(Duration.ofMillis(100));
            rate.onResponse(500, 0, rate.currentRate());
        }
        assertThat(rate.currentRate()).isGreaterThan(10_000);
    }

    @Test
    void returnsToTheRateAcceptedBeforeAThrottlingStormWithinSecondsOfItsEnd() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 30; i++) { // 3 s at 2,000 records/s accepted
            advance(Duration.ofMillis(100));
            rate.onResponse(200, 0, 2_000);
        }
        rate.onResponse(100, 400, 2_000); // the quota is cut: throttled
        for (int i = 0; i < 600; i++) { // 60 s of storm at 200 records/s
            advance(Duration.ofMillis(100));
            rate.onResponse(20, 5, 200);
        }
        assertThat(rate.currentRate()).isLessThan(400);
        for (int i = 0; i < 100; i++) { // restored: no more throttling
            advance(Duration.ofMillis(100));
            rate.onResponse(500, 0, rate.currentRate());
        }
        // 10 s after the end of the storm the rate is back above 90% of what was accepted before it.
        assertThat(rate.currentRate()).isGreaterThan(1_800);
    }

    @Test
    void staysAtAQuotaWhoseBucketLetAStartUpBurstThrough() {
        // Firehose as a token bucket of 1,000 records/s holding one second of quota; the sender's estimate of what was
        // accepted spans two seconds (0.2 s at first), as FirehoseSender's does.
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        double tokens = 1_000;
        double[] acceptedPerStep = new double[20];
        long throttledLate = 0;
        long sentLate = 0;
        for (int step = 0; step < 600; step++) { // 60 s in steps of 100 ms
            advance(Duration.ofMillis(100));
            tokens = Math.min(1_000, tokens + 100);
            int sent = (int) Math.min(5_000, rate.currentRate() / 10);
            int accepted = (int) Math.min(sent, tokens);
            tokens -= accepted;
            acceptedPerStep[step % 20] = accepted;
            double window = Math.max(0.2, Math.min(2.0, (step + 1) / 10.0));
            rate.onResponse(accepted, sent - accepted, java.util.Arrays.stream(acceptedPerStep).sum() / window);
            if (step >= 300) {
                sentLate += sent;
                throttledLate += sent - accepted;
            }
        }
        // The last 30 s: at the quota, with at most a few percent throttled (not a jump back to the burst every five seconds).
        assertThat(sentLate).isBetween(28_500L, 33_000L);
        assertThat((double) throttledLate / sentLate).isLessThan(0.02);
    }

    @Test
    void neverExceedsTheConfiguredCeiling() {
        AdaptiveRateLimiter rate = limiter(1_000);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            last = rate.reserve(500);
        }
        // 5,000 records at 1,000/s: the last reservation starts 4.5 s out.
        assertThat(last).isBetween(Duration.ofMillis(4_400), Duration.ofMillis(4_600));
        advance(Duration.ofMinutes(5));
        rate.onResponse(500, 0, 1_000);
        assertThat(rate.currentRate()).isEqualTo(1_000);
    }
}
