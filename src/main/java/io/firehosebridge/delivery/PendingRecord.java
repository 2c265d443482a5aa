package io.firehosebridge.delivery;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;

/**
 * One consumed Kafka record on its way out: the bytes for Firehose (or, for a dead letter, the
 * original value and the reason), its coordinates, and how to settle it with the Kafka connector once it is safe.
 */
public record PendingRecord(
        KafkaCoordinates at,
        byte[] key,
        byte[] data,
        DeadLetterReason reason,
        String detail,
        Settlement settlement) {

    /** True when the record goes to the dead-letter topic instead of Firehose. */
    public boolean isDeadLetter() {
        return reason != null;
    }

    /** Bytes this record holds in memory (and, unless a dead letter, sends to Firehose). */
    public int size() {
        return data == null ? 0 : data.length;
    }
}
