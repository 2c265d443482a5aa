package io.firehosebridge.reconcile.scan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offsets of {@code [from, to)} that Firehose wrote to the failed-documents prefix (in the backup,
 * failed in search), with the errors it recorded: one bit per offset and a bounded list of distinct errors.
 */
public final class FailedInSearch {

    /** Distinct error code/message pairs kept per report. */
    static final int MAX_ERRORS = 20;

    private final long from;
    private final long to;
    private final BitSet failed = new BitSet();
    private final Map<String, long[]> errors = new LinkedHashMap<>();
    private final Map<String, String[]> errorText = new LinkedHashMap<>();

    public FailedInSearch(long from, long to) {
        this.from = from;
        this.to = to;
    }

    /** Records that offsets {@code [first, last]} failed with this error. */
    public void add(long first, long last, String code, String message) {
        long a = Math.max(first, from);
        long b = Math.min(last, to - 1);
        if (a > b) {
            return;
        }
        failed.set((int) (a - from), (int) (b - from) + 1);
        String key = code + '\u0000' + message;
        long[] seen = errors.get(key);
        if (seen == null && errors.size() < MAX_ERRORS) {
            seen = new long[] { a, 0 };
            errors.put(key, seen);
            errorText.put(key, new String[] { code, message });
        }
        if (seen != null) {
            seen[1] += b - a + 1;
        }
    }

    public long count() {
        return failed.cardinality();
    }

    /** The failed offsets as inclusive ranges, at most {@code limit}. */
    public List<OffsetRange> ranges(int limit) {
        BitSet notFailed = (BitSet) failed.clone();
        notFailed.flip(0, (int) (to - from));
        return MissingRanges.fold(notFailed, from, (int) (to - from), limit);
    }

    /** The distinct errors, each with the first offset it was seen for and how many copies carried it. */
    public List<PartitionReport.FailedError> errors() {
        List<PartitionReport.FailedError> out = new ArrayList<>(errors.size());
        errors.forEach((key, v) -> out.add(new PartitionReport.FailedError(errorText.get(key)[0], errorText.get(key)[1], v[0], v[1])));
        return out;
    }
}
