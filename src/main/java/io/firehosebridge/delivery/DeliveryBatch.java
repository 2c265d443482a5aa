package io.firehosebridge.delivery;

import java.util.List;

/**
 * Records sent together: either one PutRecordBatch call (within Firehose's record and byte limits)
 * or a single dead letter.
 */
public record DeliveryBatch(List<PendingRecord> records, long bytes, boolean deadLetter) {

    public static DeliveryBatch deadLetter(PendingRecord record) {
        return new DeliveryBatch(List.of(record), record.size(), true);
    }

    public int size() {
        return records.size();
    }
}
