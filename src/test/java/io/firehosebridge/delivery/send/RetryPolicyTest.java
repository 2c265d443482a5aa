package io.firehosebridge.delivery.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffDoublesWithinJitterBoundsUpToTheCap() {
        RetryPolicy low = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(5), () -> 0.0);
        RetryPolicy high = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(5), () -> 0.999999);
        assertThat(low.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(high.backoff(1)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(low.backoff(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(low.backoff(4)).isEqualTo(Duration.ofMillis(400));
        assertThat(high.backoff(10)).isBetween(Duration.ofMillis(4_999), Duration.ofSeconds(5));
        assertThat(low.backoff(10)).isEqualTo(Duration.ofMillis(2_500));
        assertThat(high.backoff(1_000)).isLessThanOrEqualTo(Duration.ofSeconds(5));
    }
}
