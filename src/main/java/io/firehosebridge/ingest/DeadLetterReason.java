package io.firehosebridge.ingest;

/** Why a record went to the dead-letter topic instead of Firehose; written to the {@code dlq-reason} header. */
public enum DeadLetterReason {
    /** The value is empty or is not parseable JSON (including trailing content after the document). */
    NOT_JSON,
    /** The value is valid JSON but not one object (an array, a string, a number, ...). */
    NOT_AN_OBJECT,
    /** The value is not valid UTF-8. */
    INVALID_UTF8,
    /** An object key appears twice in the same object; search clusters reject such documents. */
    DUPLICATE_KEY,
    /** Objects or arrays are nested deeper than the configured limit. */
    TOO_DEEP,
    /** The document already has the top-level key where the Kafka coordinates go. */
    RESERVED_FIELD,
    /** After enrichment the record exceeds Firehose's 1,000 KiB per-record limit. */
    OVERSIZE,
    /** Firehose kept failing the record until the retry time ran out. */
    RETRIES_EXHAUSTED,
    /** Firehose rejected the record as invalid; retrying cannot help. */
    REJECTED_BY_FIREHOSE;

    /** The header value: lower-case with dashes, e.g. {@code not-json}. */
    public String headerValue() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
