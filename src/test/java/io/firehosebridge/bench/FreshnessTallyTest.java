package io.firehosebridge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class FreshnessTallyTest {

    @Test
    void samplesEachEventOnceAtThePollThatFirstFoundIt() {
        FreshnessTally tally = new FreshnessTally();
        tally.produced(1_000);
        tally.produced(1_000);
        tally.produced(1_005);

        tally.polled(2_000, 2_004, Map.of(1_000L, 1L));
        tally.polled(2_050, 2_052, Map.of(1_000L, 2L, 1_005L, 1L));
        tally.polled(2_100, 2_101, Map.of(1_000L, 2L, 1_005L, 1L));

        assertThat(tally.samples()).isEqualTo(3);
        assertThat(tally.missing()).isZero();
        assertThat(tally.percentileSeconds(0.34)).isEqualTo(1.045); // second poll: 2,050 - 1,005
        assertThat(tally.percentileSeconds(1.0)).isEqualTo(1.050); // second poll: 2,050 - 1,000
        assertThat(tally.percentileSeconds(0.01)).isEqualTo(1.000); // first poll: 2,000 - 1,000
        assertThat(tally.maxGapMillis()).isEqualTo(50);
        assertThat(tally.maxResponseMillis()).isEqualTo(4);
    }

    @Test
    void lateEventBelowNewerOnesIsStillSampled() {
        FreshnessTally tally = new FreshnessTally();
        tally.produced(1_000);
        tally.produced(1_010);

        tally.polled(2_000, 2_001, Map.of(1_010L, 1L));
        assertThat(tally.pendingFrom()).isEqualTo(1_000);
        tally.polled(3_500, 3_501, Map.of(1_000L, 1L, 1_010L, 1L));

        assertThat(tally.samples()).isEqualTo(2);
        assertThat(tally.percentileSeconds(1.0)).isEqualTo(2.5);
        assertThat(tally.pendingFrom()).isEqualTo(1_011);
    }

    @Test
    void groupsSamplesBySecondOfProduction() {
        FreshnessTally tally = new FreshnessTally();
        tally.produced(1_000);
        tally.produced(1_500);
        tally.produced(2_100);

        tally.polled(2_600, 2_601, Map.of(1_000L, 1L, 1_500L, 1L));
        tally.polled(5_100, 5_101, Map.of(2_100L, 1L));

        assertThat(tally.bySecondOfProduction()).satisfiesExactly(
                first -> assertThat(first).containsExactly(1.1, 1.6, 1.6),
                second -> assertThat(second).containsExactly(3.0, 3.0, 3.0));
    }

    @Test
    void duplicatesNeverAddSamples() {
        FreshnessTally tally = new FreshnessTally();
        tally.produced(1_000);
        tally.produced(1_001);

        tally.polled(2_000, 2_001, Map.of(1_000L, 3L));

        assertThat(tally.samples()).isEqualTo(1);
        assertThat(tally.missing()).isEqualTo(1);
        assertThat(tally.duplicates()).isEqualTo(2);
        assertThat(tally.pendingFrom()).isEqualTo(1_001);
    }

    @Test
    void documentsOfOtherRunsAreNotSamples() {
        FreshnessTally tally = new FreshnessTally();
        tally.produced(1_000);

        tally.polled(2_000, 2_001, Map.of(999L, 5L));

        assertThat(tally.samples()).isZero();
        assertThat(tally.foreign()).isEqualTo(5);
        assertThat(tally.missing()).isEqualTo(1);
    }
}
