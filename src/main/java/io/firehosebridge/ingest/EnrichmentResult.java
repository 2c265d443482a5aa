package io.firehosebridge.ingest;

/**
 * The outcome of validating and enriching one Kafka record: either the bytes to send to Firehose
 * (the original JSON object plus the Kafka coordinates, terminated by a newline) or the reason it is
 * a dead letter.
 */
public record EnrichmentResult(byte[] data, DeadLetterReason reason, String detail) {

    public static EnrichmentResult accepted(byte[] data) {
        return new EnrichmentResult(data, null, null);
    }

    public static EnrichmentResult rejected(DeadLetterReason reason, String detail) {
        return new EnrichmentResult(null, reason, detail);
    }

    public boolean isAccepted() {
        return reason == null;
    }
}
