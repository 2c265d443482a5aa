package io.firehosebridge.delivery.batch;

import java.util.ArrayList;
import java.util.List;

/**
 * The connector's poll is the batch: its records go to Firehose as they came, split only where a PutRecordBatch call's
 * limits require (records per call, bytes per call). A small poll is sent as it is, at once: nothing waits for more records.
 */
public final class PollSplit {

    private PollSplit() {
    }

    /** {@code records} in order, as the fewest calls of at most {@code maxRecords} records and {@code maxBytes} bytes each. */
    public static List<List<PendingRecord>> calls(List<PendingRecord> records, int maxRecords, long maxBytes) {
        long total = bytes(records);
        if (records.size() <= maxRecords && total <= maxBytes) {
            return records.isEmpty() ? List.of() : List.of(records);
        }
        List<List<PendingRecord>> calls = new ArrayList<>();
        int from = 0;
        long callBytes = 0;
        for (int i = 0; i < records.size(); i++) {
            int size = records.get(i).size();
            if (i > from && (i - from >= maxRecords || callBytes + size > maxBytes)) {
                calls.add(records.subList(from, i));
                from = i;
                callBytes = 0;
            }
            callBytes += size;
        }
        calls.add(records.subList(from, records.size()));
        return calls;
    }

    /** Bytes these records send to Firehose. */
    public static long bytes(List<PendingRecord> records) {
        long bytes = 0;
        for (PendingRecord r : records) {
            bytes += r.size();
        }
        return bytes;
    }
}
