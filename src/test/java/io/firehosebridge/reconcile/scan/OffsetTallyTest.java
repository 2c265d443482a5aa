package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.jobs.Redriver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class OffsetTallyTest {

    @Test
    void foldsMissingOffsetsIntoInclusiveRanges() {
        OffsetTally tally = new OffsetTally(100, 120);
        tally.addRange(100, 104);
        tally.add(106, 1);
        tally.addRange(110, 117);
        assertThat(tally.missing(100)).containsExactly(new OffsetRange(105, 105), new OffsetRange(107, 109), new OffsetRange(118, 119));
        assertThat(tally.missingCount()).isEqualTo(6);
        assertThat(tally.present()).isEqualTo(14);
        assertThat(tally.missingRangeCount()).isEqualTo(3);
        assertThat(tally.firstMissing()).isEqualTo(105);
    }

    @Test
    void listsAtMostTheLimitOfRangesButCountsAll() {
        OffsetTally tally = new OffsetTally(0, 10);
        for (long o = 0; o < 10; o += 2) {
            tally.add(o, 1);
        }
        assertThat(tally.missing(2)).containsExactly(new OffsetRange(1, 1), new OffsetRange(3, 3));
        assertThat(tally.missingRangeCount()).isEqualTo(5);
        assertThat(tally.missingCount()).isEqualTo(5);
    }

    @Test
    void reportsNothingMissingWhenEveryOffsetIsPresent() {
        OffsetTally tally = new OffsetTally(5, 8);
        tally.addRange(5, 7);
        assertThat(tally.missing(10)).isEmpty();
        assertThat(tally.firstMissing()).isEqualTo(-1);
    }

    @Test
    void countsDuplicatesExactlyAndNamesTheMostDuplicated() {
        OffsetTally tally = new OffsetTally(0, 100);
        tally.addRange(0, 99);
        tally.add(7, 3);          // 4 copies in all
        tally.addRange(10, 12);   // 2 copies each
        tally.add(50, 1);         // 2 copies
        assertThat(tally.duplicatedOffsets()).isEqualTo(5);
        assertThat(tally.extraCopies()).isEqualTo(3 + 3 + 1);
        assertThat(tally.mostDuplicated(2)).containsExactly(new PartitionReport.OffsetCopies(7, 4), new PartitionReport.OffsetCopies(10, 2));
        assertThat(tally.missingCount()).isZero();
    }

    @Test
    void countsCopiesGivenAsABucketCount() {
        OffsetTally tally = new OffsetTally(0, 3);
        tally.add(0, 1);
        tally.add(1, 5);
        assertThat(tally.present()).isEqualTo(2);
        assertThat(tally.extraCopies()).isEqualTo(4);
        assertThat(tally.mostDuplicated(10)).containsExactly(new PartitionReport.OffsetCopies(1, 5));
    }

    @Test
    void ignoresOffsetsOutsideTheRange() {
        OffsetTally tally = new OffsetTally(10, 20);
        tally.add(9, 1);
        tally.add(20, 2);
        tally.addRange(5, 12);
        assertThat(tally.present()).isEqualTo(3);
        assertThat(tally.outside()).isEqualTo(1 + 2 + 5);
    }

    @Test
    void countsMissingWithinASpan() {
        OffsetTally tally = new OffsetTally(0, 100);
        tally.addRange(0, 49);
        tally.addRange(60, 99);
        assertThat(tally.missingWithin(40, 69)).isEqualTo(10);
        assertThat(tally.missingWithin(0, 9)).isZero();
        assertThat(tally.missingWithin(95, 500)).isZero();
    }

    @Test
    void unionOfMissingRangesMergesOverlapsAndNeighbours() {
        List<OffsetRange> union = Redriver.union(List.of(new OffsetRange(1, 3), new OffsetRange(10, 12)),
                List.of(new OffsetRange(4, 5), new OffsetRange(11, 20), new OffsetRange(30, 30)));
        assertThat(union).containsExactly(new OffsetRange(1, 5), new OffsetRange(10, 20), new OffsetRange(30, 30));
    }

    @Test
    void excludedOffsetsAreNeitherPresentNorMissingAndTheirCopiesAreNotCounted() {
        OffsetTally t = new OffsetTally(100, 110);
        t.exclude(101);
        t.exclude(105);
        t.exclude(105);
        t.exclude(200); // outside: ignored
        t.addRange(100, 103);
        t.add(105, 3);
        assertThat(t.expected()).isEqualTo(8);
        assertThat(t.excluded()).isEqualTo(2);
        assertThat(t.present()).isEqualTo(3); // 100, 102, 103
        assertThat(t.missingCount()).isEqualTo(5); // 104, 106..109
        assertThat(t.missing(10)).containsExactly(new OffsetRange(104, 104), new OffsetRange(106, 109));
        assertThat(t.has(101)).isFalse();
        assertThat(t.has(102)).isTrue();
        assertThat(t.duplicatedOffsets()).isZero();
        assertThat(t.extraCopies()).isZero();
        assertThat(t.firstMissing()).isEqualTo(104);
    }
}
