package io.firehosebridge.localfirehose;

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
