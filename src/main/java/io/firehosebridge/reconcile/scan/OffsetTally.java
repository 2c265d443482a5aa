package io.firehosebridge.reconcile.scan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many copies of each offset of {@code [from, to)} one side (search or backup) holds, in bounded
 * memory: two bits per offset (seen, seen again), a total of extra copies, and exact copy counts for at
 * most {@link #TRACKED_DUPLICATES} duplicated offsets (enough to name the most duplicated ones). Offsets not expected on
 * this side (records routed elsewhere, or dropped) can be excluded before counting: they are then neither present nor
 * missing, and copies of them are not counted.
 */
public final class OffsetTally {

    /** Duplicated offsets whose exact copy count is kept; beyond this only totals are exact. */
    static final int TRACKED_DUPLICATES = 10_000;

    private final long from;
    private final long to;
    private final BitSet seen;
    private final BitSet seenAgain;
    private final Map<Long, Long> copies = new HashMap<>();
    private long extraCopies;
    private long outside;
    /** Offsets not expected on this side; null while there are none. Their {@code seen} bit is set, so they are never missing. */
    private BitSet excluded;
    private long excludedCount;

    /** A tally for offsets {@code [from, to)}; at most {@link Integer#MAX_VALUE} offsets. */
    public OffsetTally(long from, long to) {
        if (to < from || to - from > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") is empty-negative or too large");
        }
        this.from = from;
        this.to = to;
        this.seen = new BitSet((int) (to - from));
        this.seenAgain = new BitSet();
    }

    public long from() {
        return from;
    }

    public long to() {
        return to;
    }

    /** Offsets expected on this side: the range's, less the excluded ones. */
    public long expected() {
        return to - from - excludedCount;
    }

    /**
     * The offset is not expected on this side (its record went elsewhere or was dropped): neither present nor missing. Call it
     * before counting copies: copies counted earlier would stay among the duplicates.
     */
    public void exclude(long offset) {
        if (offset < from || offset >= to) {
            return;
        }
        int i = (int) (offset - from);
        if (excluded == null) {
            excluded = new BitSet();
        }
        if (!excluded.get(i)) {
            excluded.set(i);
            seen.set(i);
            excludedCount++;
        }
    }

    /** Offsets excluded from this side. */
    public long excluded() {
        return excludedCount;
    }

    /** Counts {@code n} copies of one offset; offsets outside the range are ignored (and counted as such). */
    public void add(long offset, long n) {
        if (offset < from || offset >= to) {
            outside += n;
            return;
        }
        if (n <= 0) {
            return;
        }
        int i = (int) (offset - from);
        if (excluded != null && excluded.get(i)) {
            return;
        }
        long extra = n;
        if (!seen.get(i)) {
            seen.set(i);
            extra--;
        }
        if (extra > 0) {
            seenAgain.set(i);
            extraCopies += extra;
            Long known = copies.get(offset);
            if (known != null) {
                copies.put(offset, known + extra);
            } else if (copies.size() < TRACKED_DUPLICATES) {
                copies.put(offset, 1 + extra);
            }
        }
    }

    /** Counts one copy of each offset of {@code [first, last]}. */
    public void addRange(long first, long last) {
        long a = Math.max(first, from);
        long b = Math.min(last, to - 1);
        if (first < from) {
            outside += Math.min(last, from - 1) - first + 1;
        }
        if (last >= to) {
            outside += last - Math.max(first, to) + 1;
        }
        if (a > b) {
            return;
        }
        int start = (int) (a - from);
        int end = (int) (b - from) + 1;
        if (seen.nextSetBit(start) < 0 || seen.nextSetBit(start) >= end) {
            seen.set(start, end); // fast path: none of them seen before
            return;
        }
        for (long o = a; o <= b; o++) {
            add(o, 1);
        }
    }

    /** Whether the offset has at least one copy. */
    public boolean has(long offset) {
        return offset >= from && offset < to && seen.get((int) (offset - from)) && (excluded == null || !excluded.get((int) (offset - from)));
    }

    /** Offsets with at least one copy. */
    public long present() {
        return seen.cardinality() - excludedCount;
    }

    /** Offsets with no copy. */
    public long missingCount() {
        return (to - from) - seen.cardinality();
    }

    /** Offsets in {@code [first, last]} (clipped to the range) with no copy. */
    public long missingWithin(long first, long last) {
        long a = Math.max(first, from);
        long b = Math.min(last, to - 1);
        if (a > b) {
            return 0;
        }
        return (b - a + 1) - seen.get((int) (a - from), (int) (b - from) + 1).cardinality();
    }

    /** Offsets in {@code [first, last]} (clipped to the range) with more than one copy. */
    public long duplicatedWithin(long first, long last) {
        long a = Math.max(first, from);
        long b = Math.min(last, to - 1);
        return a > b ? 0 : seenAgain.get((int) (a - from), (int) (b - from) + 1).cardinality();
    }

    /** The first offset with no copy, or -1. */
    public long firstMissing() {
        int i = seen.nextClearBit(0);
        return i >= to - from ? -1 : from + i;
    }

    /** Offsets with no copy, folded into inclusive ranges; at most {@code limit} ranges. */
    public List<OffsetRange> missing(int limit) {
        return MissingRanges.fold(seen, from, (int) (to - from), limit);
    }

    /** Number of inclusive ranges the missing offsets fold into. */
    public long missingRangeCount() {
        return MissingRanges.count(seen, (int) (to - from));
    }

    /** Offsets with more than one copy. */
    public long duplicatedOffsets() {
        return seenAgain.cardinality();
    }

    /** Copies beyond the first, summed over all offsets (an offset seen 3 times counts 2). */
    public long extraCopies() {
        return extraCopies;
    }

    /** Copies seen of offsets outside the range (the scan filters by range, so normally 0). */
    public long outside() {
        return outside;
    }

    /** The most duplicated offsets, most copies first, then lowest offset. */
    public List<PartitionReport.OffsetCopies> mostDuplicated(int limit) {
        List<PartitionReport.OffsetCopies> all = new ArrayList<>(copies.size());
        copies.forEach((offset, n) -> all.add(new PartitionReport.OffsetCopies(offset, n)));
        all.sort(Comparator.comparingLong(PartitionReport.OffsetCopies::copies).reversed()
                .thenComparingLong(PartitionReport.OffsetCopies::offset));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }
}
