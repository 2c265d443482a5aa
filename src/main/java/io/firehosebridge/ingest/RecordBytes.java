package io.firehosebridge.ingest;

import java.util.Base64;

/**
 * The bytes Firehose gets for one record, and how many there are, without necessarily holding them: an enriched record
 * is written when a request body is, so its copy lives for a moment instead of for the record's whole time in flight.
 */
public interface RecordBytes {

    /** Bytes {@link #bytes} returns. */
    int size();

    /** The bytes, in an array of exactly {@link #size} bytes: a new one for an enriched record, to be used and let go. */
    byte[] bytes();

    /**
     * Writes the bytes base64-encoded (standard alphabet, padded) at {@code out[pos]}; returns the position after them.
     * {@code scratch} is working space of at least the encoded length of {@link #size} bytes.
     */
    default int writeBase64(byte[] out, int pos, byte[] scratch) {
        int encoded = Base64.getEncoder().encode(bytes(), scratch);
        System.arraycopy(scratch, 0, out, pos, encoded);
        return pos + encoded;
    }

    /** Characters the base64 form of {@code bytes} bytes takes. */
    static int base64Length(int bytes) {
        return (bytes + 2) / 3 * 4;
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
