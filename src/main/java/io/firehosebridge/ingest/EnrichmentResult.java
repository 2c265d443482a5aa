package io.firehosebridge.ingest;

/**
 * The outcome of validating and enriching one Kafka record: either what to send to Firehose (the original JSON object
 * plus the Kafka coordinates, terminated by a newline, written when asked for) or the reason it is a dead letter.
 */
public record EnrichmentResult(RecordBytes record, DeadLetterReason reason, String detail) {

    public static EnrichmentResult accepted(RecordBytes record) {
        return new EnrichmentResult(record, null, null);
    }

    public static EnrichmentResult rejected(DeadLetterReason reason, String detail) {
        return new EnrichmentResult(null, reason, detail);
    }

    public boolean isAccepted() {
        return reason == null;
    }

    /** The enriched bytes (a new array each call), or null for a dead letter. */
    public byte[] data() {
        return record == null ? null : record.bytes();
    }
}
