package io.firehosebridge.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));

    @Test
    void theCeilingDoublesFromTheFirstUpToTheCap() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(4000));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(1_000)).as("no overflow however many failures").isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(0)).as("attempts below 1 count as the first").isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void everyWaitIsBetweenHalfTheCeilingAndTheCeiling() {
        for (int attempt = 1; attempt <= 64; attempt++) {
            Duration ceiling = backoff.ceiling(attempt);
            assertThat(backoff.delay(attempt, () -> 0.0)).isEqualTo(ceiling.dividedBy(2));
            assertThat(backoff.delay(attempt, () -> 0.999_999_999)).isLessThanOrEqualTo(ceiling).isGreaterThan(ceiling.multipliedBy(9).dividedBy(10));
            Duration drawn = backoff.delay(attempt);
            assertThat(drawn).isBetween(ceiling.dividedBy(2), ceiling);
        }
    }

    @Test
    void waitsAreSpreadSoReplicasDoNotRetryTogether() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            seen.add(backoff.delay(3));
        }
        assertThat(seen).hasSizeGreaterThan(40);
    }

    @Test
    void refusesABackoffWithoutAWait() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
