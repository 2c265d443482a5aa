package io.firehosebridge.ingest;

/**
 * The bytes Firehose gets for one record, and how many there are, without necessarily holding them: an enriched record
 * is written when a request body is, so its copy lives for a moment instead of for the record's whole time in flight.
 */
public interface RecordBytes {

    /** Bytes {@link #bytes} returns. */
    int size();

    /** The bytes, in an array of exactly {@link #size} bytes: a new one for an enriched record, to be used and let go. */
    byte[] bytes();

    /** Bytes held as they are. */
    static RecordBytes of(byte[] bytes) {
        return new RecordBytes() {
            @Override
            public int size() {
                return bytes.length;
            }

            @Override
            public byte[] bytes() {
                return bytes;
            }
        };
    }
}
