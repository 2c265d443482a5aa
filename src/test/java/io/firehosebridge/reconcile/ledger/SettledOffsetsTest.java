package io.firehosebridge.reconcile.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SettledOffsetsTest {

    private static final TopicPartition TP = new TopicPartition("clicks", 3);
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private final SettledOffsets settled = new SettledOffsets();

    @Test
    void settlesOffsetsOnlyAWindowAfterACommitPastThemWasSeen() {
        settled.observe(TP, 100, T0, T0, WINDOW);

        assertThat(settled.settled(TP, 99, T0.plusSeconds(29), WINDOW)).isFalse();
        assertThat(settled.settled(TP, 99, T0.plusSeconds(30), WINDOW)).isTrue();
        assertThat(settled.settled(TP, 100, T0.plusSeconds(60), WINDOW)).as("offset 100 is not committed yet").isFalse();
    }

    @Test
    void aLaterCommitSettlesMoreOnceItIsOldEnoughItself() {
        settled.observe(TP, 100, T0, T0, WINDOW);
        settled.observe(TP, 250, T0, T0.plusSeconds(10), WINDOW);
        settled.observe(TP, 400, T0, T0.plusSeconds(45), WINDOW);

        Instant at = T0.plusSeconds(45);
        assertThat(settled.settled(TP, 99, at, WINDOW)).isTrue();
        assertThat(settled.settled(TP, 249, at, WINDOW)).isTrue();
        assertThat(settled.settled(TP, 250, at, WINDOW)).isFalse();
        assertThat(settled.settled(TP, 399, T0.plusSeconds(75), WINDOW)).isTrue();
    }

    @Test
    void aTakeoverRestartsTheClockSoSendsOfTheFormerOwnerHaveTheirWindow() {
        settled.observe(TP, 100, T0, T0, WINDOW);
        Instant takeover = T0.plusSeconds(40);

        settled.observe(TP, 120, takeover, takeover, WINDOW);

        assertThat(settled.settled(TP, 50, takeover.plusSeconds(1), WINDOW))
                .as("commits seen before the partition moved here do not count").isFalse();
        assertThat(settled.settled(TP, 119, takeover.plus(WINDOW), WINDOW)).isTrue();
    }

    @Test
    void tellsWhenTheCommittedOffsetWentBack() {
        assertThat(settled.observe(TP, 500, T0, T0, WINDOW)).isFalse();
        assertThat(settled.observe(TP, 500, T0, T0.plusSeconds(5), WINDOW)).isFalse();

        assertThat(settled.observe(TP, 200, T0, T0.plusSeconds(10), WINDOW)).isTrue();
        assertThat(settled.settled(TP, 300, T0.plusSeconds(60), WINDOW)).as("offsets above the reset are being sent again").isFalse();
        assertThat(settled.settled(TP, 199, T0.plusSeconds(40), WINDOW)).isTrue();
    }

    @Test
    void forgetsPartitionsNoLongerOwnedAndSettlesNothingUnseen() {
        settled.observe(TP, 100, T0, T0, WINDOW);

        settled.retainOnly(Set.of());

        assertThat(settled.settled(TP, 10, T0.plusSeconds(60), WINDOW)).isFalse();
        assertThat(settled.settled(new TopicPartition("clicks", 0), 0, T0.plusSeconds(60), WINDOW)).isFalse();
    }
}
