package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import io.firehosebridge.ingest.RecordBytes;

/**
 * The JSON body of a {@code PutRecordBatch} call, written in one pass into one exactly sized array:
 * {@code {"DeliveryStreamName":"…","Records":[{"Data":"<base64>"},…]}}, byte for byte what the SDK's
 * own marshaller writes for the same request (a test holds it to that), with each record's base64 wire encoding written
 * here, next to the call. The SDK's generic serialisation was the largest share of the bridge's CPU and allocation per
 * record (a chunked buffer grown per call, copied twice).
 */
public final class PutRecordBatchBody {

    /** What Firehose accepts as a delivery stream name; such a name needs no JSON escaping. */
    static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    private static final byte[] HEAD = ascii("{\"DeliveryStreamName\":\"");
    private static final byte[] RECORDS = ascii("\",\"Records\":[");
    private static final byte[] RECORD_OPEN = ascii("{\"Data\":\"");
    private static final byte[] RECORD_CLOSE = ascii("\"}");
    private static final byte[] TAIL = ascii("]}");

    private PutRecordBatchBody() {
    }

    /** The request body for these records, each sent as its {@link PendingRecord#data()}. */
    public static byte[] write(String deliveryStream, List<PendingRecord> records) {
        byte[] body = new byte[size(deliveryStream, records)];
        write(deliveryStream, records, body);
        return body;
    }

    /** Bytes the body for these records takes. */
    public static int size(String deliveryStream, List<PendingRecord> records) {
        if (!STREAM_NAME.matcher(deliveryStream).matches()) {
            throw new IllegalArgumentException("not a Firehose delivery stream name: " + deliveryStream);
        }
        long size = HEAD.length + deliveryStream.length() + RECORDS.length + TAIL.length + Math.max(0, records.size() - 1);
        for (PendingRecord r : records) {
            size += RECORD_OPEN.length + base64Length(r.size()) + RECORD_CLOSE.length;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a PutRecordBatch body of " + size + " bytes cannot be built");
        }
        return (int) size;
    }

    /**
     * Writes the body for these records at the start of {@code body}, which must hold at least {@link #size} bytes (a
     * reused, larger array may: only the returned length is the body).
     */
    public static int write(String deliveryStream, List<PendingRecord> records, byte[] body) {
        int size = size(deliveryStream, records);
        if (body.length < size) {
            throw new IllegalArgumentException("a body of " + size + " bytes does not fit in " + body.length);
        }
        byte[] name = ascii(deliveryStream);
        // The JDK's encoder, not a loop of our own: it is a compiler intrinsic (vector instructions), about 15 times faster per
        // record on this project's machines. It writes only at the start of an array, hence one scratch array per call, sized
        // for the longest record; a record whose source value is longer still encodes its enriched bytes (writeBase64).
        int longest = 0;
        for (PendingRecord r : records) {
            longest = Math.max(longest, r.size());
        }
        byte[] scratch = new byte[base64Length(longest)];
        int pos = put(HEAD, body, 0);
        pos = put(name, body, pos);
        pos = put(RECORDS, body, pos);
        for (int i = 0; i < records.size(); i++) {
            if (i > 0) {
                body[pos++] = ',';
            }
            pos = put(RECORD_OPEN, body, pos);
            pos = writeBase64(records.get(i).payload(), body, pos, scratch);
            pos = put(RECORD_CLOSE, body, pos);
        }
        put(TAIL, body, pos);
        return size;
    }

    /**
     * Writes {@code record} base64-encoded (standard alphabet, padded) at {@code out[pos]}; returns the position after it.
     * Base64 works on groups of three bytes, so the record's encoding begins with its head's own encoding up to the last
     * whole group: that part is encoded straight from the head's array (the JDK's encoder takes only whole arrays, so only a
     * head that starts its array is), and only the rest (for an enriched record, the coordinates and a byte or two of the
     * value) is copied to be encoded. Copying each record whole first was a kilobyte of garbage per record, a fifth of all
     * the bridge allocated. {@code scratch} holds at least the encoded length of the record.
     */
    static int writeBase64(RecordBytes record, byte[] out, int pos, byte[] scratch) {
        Base64.Encoder base64 = Base64.getEncoder();
        byte[] head = record.head();
        int groups = record.headLength() / 3;
        if (groups > 0 && scratch.length >= base64Length(head.length)) {
            base64.encode(head, scratch);
            System.arraycopy(scratch, 0, out, pos, groups * 4);
            pos += groups * 4;
        } else {
            groups = 0;
        }
        byte[] rest = new byte[record.size() - groups * 3];
        int fromHead = record.headLength() - groups * 3;
        System.arraycopy(head, groups * 3, rest, 0, fromHead);
        record.writeRest(rest, fromHead);
        int encoded = base64.encode(rest, scratch);
        System.arraycopy(scratch, 0, out, pos, encoded);
        return pos + encoded;
    }

    /** Characters the base64 form of {@code bytes} bytes takes. */
    static int base64Length(int bytes) {
        return (bytes + 2) / 3 * 4;
    }

    private static int put(byte[] src, byte[] dst, int pos) {
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
