package io.firehosebridge.localfirehose.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class DeliveryBufferTest {

    /** A clock the test moves by hand. */
    static final class StepClock extends Clock {
        private Instant now = Instant.parse("2024-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final StepClock clock = new StepClock();

    private BufferedRecord record(int bytes) {
        return new BufferedRecord(new byte[bytes], clock.instant(), "id");
    }

    @Test
    void flushesWhenSizeIsReachedBeforeTheInterval() {
        DeliveryBuffer buffer = new DeliveryBuffer(1000, Duration.ofSeconds(60), clock);
        assertThat(buffer.add(record(600))).isFalse();
        assertThat(buffer.isDue()).isFalse();
        assertThat(buffer.add(record(400))).isTrue();
        assertThat(buffer.isDue()).isTrue();
        assertThat(buffer.drain()).hasSize(2);
        assertThat(buffer.isDue()).isFalse();
    }

    @Test
    void drainsAtMostTheSizeLimitAndKeepsTheRestInOrder() {
        DeliveryBuffer buffer = new DeliveryBuffer(1000, Duration.ofSeconds(60), clock);
        BufferedRecord first = record(600);
        buffer.add(first);
        clock.advance(Duration.ofSeconds(1));
        BufferedRecord second = record(300);
        buffer.add(second);
        clock.advance(Duration.ofSeconds(1));
        BufferedRecord third = record(500);
        buffer.add(third);
        BufferedRecord big = record(2500);
        buffer.add(big);
        assertThat(buffer.drain()).containsExactly(first, second);
        assertThat(buffer.bytes()).isEqualTo(3000);
        assertThat(buffer.oldestAge()).isEqualTo(Duration.ZERO);
        assertThat(buffer.drain()).containsExactly(third);
        assertThat(buffer.drain()).containsExactly(big); // larger than the limit alone: still delivered
        assertThat(buffer.drain()).isEmpty();
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void flushesWhenTheOldestRecordHasWaitedTheIntervalEvenIfSmall() {
        DeliveryBuffer buffer = new DeliveryBuffer(5 * 1024 * 1024, Duration.ofSeconds(60), clock);
        buffer.add(record(10));
        clock.advance(Duration.ofSeconds(30));
        buffer.add(record(10));
        assertThat(buffer.isDue()).isFalse();
        clock.advance(Duration.ofSeconds(29));
        assertThat(buffer.isDue()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(buffer.isDue()).isTrue();
        assertThat(buffer.oldestAge()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void emptyBufferIsNeverDueAndIntervalRestartsAfterDrain() {
        DeliveryBuffer buffer = new DeliveryBuffer(1000, Duration.ofSeconds(1), clock);
        clock.advance(Duration.ofSeconds(10));
        assertThat(buffer.isDue()).isFalse();
        buffer.add(record(1));
        clock.advance(Duration.ofSeconds(1));
        buffer.drain();
        buffer.add(record(1));
        assertThat(buffer.isDue()).isFalse();
    }
}
