package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.scan.OffsetRange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class RedriverTest {

    @Test
    void splitsMissingRangesIntoChunksOfAtMostTheChunkSize() {
        List<List<OffsetRange>> chunks = Redriver.chunks(List.of(new OffsetRange(0, 2), new OffsetRange(10, 16), new OffsetRange(20, 20)), 4);
        assertThat(chunks).containsExactly(
                List.of(new OffsetRange(0, 2), new OffsetRange(10, 10)),
                List.of(new OffsetRange(11, 14)),
                List.of(new OffsetRange(15, 16), new OffsetRange(20, 20)));
        assertThat(Redriver.chunks(List.of(), 4)).isEmpty();
        assertThat(Redriver.chunks(List.of(new OffsetRange(5, 12)), 4)).containsExactly(List.of(new OffsetRange(5, 8)),
                List.of(new OffsetRange(9, 12)));
    }

    @Test
    void mergesBothSidesMissingOffsetsIntoOneOrderedList() {
        assertThat(Redriver.union(List.of(new OffsetRange(0, 3), new OffsetRange(10, 12)), List.of(new OffsetRange(2, 5), new OffsetRange(13, 13))))
                .containsExactly(new OffsetRange(0, 5), new OffsetRange(10, 13));
    }
}
