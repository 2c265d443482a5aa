package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AdaptiveRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private AdaptiveRateLimiter limiter(double max) {
        return new AdaptiveRateLimiter(max, 10, 0.8, 0.05, Duration.ofMillis(500), now::get);
    }

    @Test
    void isUnlimitedUntilFirehoseThrottles() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        assertThat(rate.reserve(500)).isZero();
        assertThat(rate.reserve(500)).isZero();
        assertThat(rate.currentRate()).isInfinite();
    }

    @Test
    void throttlingCutsTheRateFromWhatWasAchieved() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(400, 100, 1_000);
        assertThat(rate.currentRate()).isEqualTo(800);
        // 800 records/s: after a 200 ms burst allowance, 400 records wait about half a second.
        rate.reserve(160);
        assertThat(rate.reserve(400)).isBetween(Duration.ofMillis(150), Duration.ofMillis(250));
    }

    @Test
    void decreasesOncePerCoolDownAndRecoversWithoutThrottling() {
        AdaptiveRateLimiter rate = limiter(2_000);
        rate.onResponse(0, 500, 5_000);
        rate.onResponse(0, 500, 5_000);
        assertThat(rate.currentRate()).isEqualTo(1_600);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        rate.onResponse(0, 500, 5_000);
        assertThat(rate.currentRate()).isLessThan(1_600 * 0.85);
        double afterCut = rate.currentRate();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        rate.onResponse(500, 0, 0);
        assertThat(rate.currentRate()).isGreaterThan(afterCut * 1.09);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        rate.onResponse(500, 0, 0);
        assertThat(rate.currentRate()).isEqualTo(2_000);
    }

    @Test
    void startsJustBelowWhatFirehoseAcceptsWhenItThrottles() {
        AdaptiveRateLimiter rate = limiter(Double.POSITIVE_INFINITY);
        rate.onResponse(300, 200, 1_000);
        assertThat(rate.currentRate()).isEqualTo(800);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        // Already limited below what is accepted: the cut applies to the current rate.
        rate.onResponse(300, 200, 5_000);
        assertThat(rate.currentRate()).isCloseTo(840 * 0.8, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void neverExceedsTheConfiguredCeiling() {
        AdaptiveRateLimiter rate = limiter(1_000);
        Duration total = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            total = rate.reserve(500);
        }
        // 5,000 records at 1,000/s: the last reservation starts about 4.3 s out (0.2 s burst allowance).
        assertThat(total).isBetween(Duration.ofMillis(4_200), Duration.ofMillis(4_600));
    }
}
