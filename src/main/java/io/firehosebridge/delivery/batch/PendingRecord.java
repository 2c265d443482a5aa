package io.firehosebridge.delivery.batch;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.ingest.RecordBytes;

/**
 * One consumed Kafka record on its way out: what to send to Firehose (or, for a dead letter, the original value and the
 * reason), its coordinates, and how to settle it with the Kafka connector once it is safe.
 */
public record PendingRecord(
        KafkaCoordinates at,
        byte[] key,
        RecordBytes payload,
        DeadLetterReason reason,
        String detail,
        Settlement settlement) {

    /** A record whose bytes are given as they are (a dead letter's original value, or test data). */
    public PendingRecord(KafkaCoordinates at, byte[] key, byte[] data, DeadLetterReason reason, String detail, Settlement settlement) {
        this(at, key, data == null ? null : RecordBytes.of(data), reason, detail, settlement);
    }

    /** True when the record goes to the dead-letter topic instead of Firehose. */
    public boolean isDeadLetter() {
        return reason != null;
    }

    /** Bytes this record sends to Firehose (for a dead letter, the size of its value). */
    public int size() {
        return payload == null ? 0 : payload.size();
    }

    /** The bytes to send (for a dead letter, its value); an enriched record is written anew on each call, so call it once per use. */
    public byte[] data() {
        return payload == null ? null : payload.bytes();
    }
}
