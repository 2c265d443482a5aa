package io.firehosebridge.delivery.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.KafkaCoordinates;

/** The poll is the batch: split only where a PutRecordBatch call's limits require, in order. */
class PollSplitTest {

    static PendingRecord record(long offset, int size) {
        return new PendingRecord(new KafkaCoordinates("t", 0, offset, 0), null, new byte[size], null, null, Settlement.NONE);
    }

    private static List<PendingRecord> poll(int records, int size) {
        return IntStream.range(0, records).mapToObj(i -> record(i, size)).toList();
    }

    @Test
    void sendsASmallPollAsItIs() {
        List<PendingRecord> poll = poll(3, 100);
        assertThat(PollSplit.calls(poll, 500, 4 << 20)).containsExactly(poll);
        assertThat(PollSplit.calls(List.of(), 500, 4 << 20)).isEmpty();
    }

    @Test
    void splitsAt500Records() {
        List<List<PendingRecord>> calls = PollSplit.calls(poll(1_201, 100), 500, 4 << 20);
        assertThat(calls).extracting(List::size).containsExactly(500, 500, 201);
        assertThat(calls.get(1).get(0).at().offset()).isEqualTo(500);
    }

    @Test
    void splitsAtTheBytesPerCall() {
        // 1,000,000-byte records: four fit in 4 MiB, a fifth does not.
        List<List<PendingRecord>> calls = PollSplit.calls(poll(9, 1_000_000), 500, 4L << 20);
        assertThat(calls).extracting(List::size).containsExactly(4, 4, 1);
        assertThat(calls).allSatisfy(c -> assertThat(PollSplit.bytes(c)).isLessThanOrEqualTo(4L << 20));
        assertThat(calls.stream().flatMap(List::stream).mapToLong(r -> r.at().offset())).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void sendsARecordLargerThanACallAlone() {
        List<PendingRecord> poll = List.of(record(0, 10), record(1, 5_000), record(2, 10));
        assertThat(PollSplit.calls(poll, 500, 4_096)).extracting(List::size).containsExactly(1, 1, 1);
    }
}
