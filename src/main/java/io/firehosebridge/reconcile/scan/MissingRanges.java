package io.firehosebridge.reconcile.scan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** Folds the clear bits of a presence bitset into inclusive offset ranges. */
final class MissingRanges {

    private MissingRanges() {
    }

    /** Clear bits of {@code present} in {@code [0, size)} as ranges of {@code base + bit}; at most {@code limit} ranges. */
    static List<OffsetRange> fold(BitSet present, long base, int size, int limit) {
        List<OffsetRange> ranges = new ArrayList<>();
        int i = present.nextClearBit(0);
        while (i < size && ranges.size() < limit) {
            int next = present.nextSetBit(i);
            int end = next < 0 || next > size ? size : next;
            ranges.add(new OffsetRange(base + i, base + end - 1));
            i = present.nextClearBit(end);
        }
        return ranges;
    }

    /** How many ranges the clear bits of {@code present} in {@code [0, size)} fold into. */
    static long count(BitSet present, int size) {
        long n = 0;
        int i = present.nextClearBit(0);
        while (i < size) {
            n++;
            int next = present.nextSetBit(i);
            if (next < 0 || next >= size) {
                break;
            }
            i = present.nextClearBit(next);
        }
        return n;
    }
}
