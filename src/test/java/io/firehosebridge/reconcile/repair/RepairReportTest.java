package io.firehosebridge.reconcile.repair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class RepairReportTest {

    private static RepairReport.RepairedOffset offset(long o) {
        return new RepairReport.RepairedOffset(0, o, new RepairReport.Copy("clicks", "a" + o), List.of(new RepairReport.Copy("clicks", "b" + o)));
    }

    @Test
    void addsCountsAndListsAtMostTheLimit() {
        RepairReport a = new RepairReport("r1", false, 2, 2, 3, 3, 0, 1, List.of(offset(1), offset(2)), false);
        RepairReport b = new RepairReport("r1", false, 2, 2, 2, 1, 1, 0, List.of(offset(5), offset(6)), false);
        RepairReport sum = a.plus(b, 3);
        assertThat(sum.duplicatedOffsets()).isEqualTo(4);
        assertThat(sum.copiesToDelete()).isEqualTo(5);
        assertThat(sum.copiesDeleted()).isEqualTo(4);
        assertThat(sum.copiesChanged()).isEqualTo(1);
        assertThat(sum.copiesInvalid()).isEqualTo(1);
        assertThat(sum.offsets()).extracting(RepairReport.RepairedOffset::offset).containsExactly(1L, 2L, 5L);
        assertThat(sum.offsetsTruncated()).isTrue();
        assertThat(a.plus(RepairReport.none("r1", false), 3).offsetsTruncated()).isFalse();
    }
}
