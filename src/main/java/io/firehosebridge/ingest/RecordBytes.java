package io.firehosebridge.ingest;

/**
 * The bytes Firehose gets for one record, and how many there are, without necessarily holding them: an enriched record
 * is written when a request body is, so its copy lives for a moment instead of for the record's whole time in flight.
 * Laid out as a head, referenced in an array of its own (an enriched record's value), and the rest, written on demand,
 * so that a wire encoding can take the head straight from its array.
 */
public interface RecordBytes {

    /** Bytes {@link #bytes} returns. */
    int size();

    /** The bytes, in an array of exactly {@link #size} bytes: a new one for an enriched record, to be used and let go. */
    byte[] bytes();

    /** An array whose first {@link #headLength} bytes are the record's first bytes; the array may hold more after them. */
    default byte[] head() {
        return bytes();
    }

    /** How many of the record's bytes {@link #head} holds. */
    default int headLength() {
        return size();
    }

    /** Writes the record's bytes after its head at {@code out[pos]}; returns the position after them. */
    default int writeRest(byte[] out, int pos) {
        return pos;
    }

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
