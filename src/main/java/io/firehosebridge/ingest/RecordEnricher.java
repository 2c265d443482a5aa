package io.firehosebridge.ingest;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Validates that a Kafka value is exactly one JSON object and adds the record's Kafka coordinates
 * under one top-level key, without building a tree: one pass ({@link JsonObjectCheck}) checks the
 * document and finds its closing brace, then the coordinates are spliced in before that brace and a
 * newline is appended. Unknown fields and nulls pass through byte for byte.
 *
 * <p>Output for {@code {"a":1}} at clicks/3/42: {@code {"a":1,"kafka":{"topic":"clicks","partition":3,"offset":42,"timestamp":1700000000000}}\n}.
 *
 * <p>Safe to share between threads. A check keeps scratch arrays, so one is kept for reuse; a caller that finds it taken
 * (another thread is checking) makes its own. Not a thread-local: in dev mode the event-loop threads outlive a live
 * reload, and a check held by them kept the previous application's class loader alive (DevModeReloadIT).
 */
public final class RecordEnricher {

    /** Firehose's hard per-record limit, in decoded bytes. */
    public static final int FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

    private static final byte[] PARTITION = ascii(",\"partition\":");
    private static final byte[] OFFSET = ascii(",\"offset\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");
    private static final byte[] END = ascii("}}\n");
    private static final byte[] REDRIVEN_END = ascii(",\"redriven\":true}}\n");
    private static final byte[] NO_BYTES = new byte[0];

    private final byte[] metadataPrefix;
    private final int maxRecordBytes;
    private final byte[] key;
    private final int maxDepth;
    private final AtomicReference<JsonObjectCheck> spareCheck = new AtomicReference<>();
    /** The last topic's name as a quoted JSON string: records of one poll share a topic. */
    private volatile QuotedTopic lastTopic = new QuotedTopic("", quoted(""));

    /**
     * @param metadataKey the top-level key the coordinates go under (e.g. {@code kafka})
     * @param maxDepth deepest nesting of objects and arrays accepted
     * @param maxRecordBytes largest enriched record accepted (at most Firehose's limit)
     */
    public RecordEnricher(String metadataKey, int maxDepth, int maxRecordBytes) {
        this.maxRecordBytes = Math.min(maxRecordBytes, FIREHOSE_MAX_RECORD_BYTES);
        this.key = metadataKey.getBytes(StandardCharsets.UTF_8);
        this.maxDepth = maxDepth;
        this.metadataPrefix = ("\"" + escape(metadataKey) + "\":{\"topic\":").getBytes(StandardCharsets.UTF_8);
    }

    /** Validates and enriches one record value. */
    public EnrichmentResult enrich(byte[] value, KafkaCoordinates at) {
        return enrich(value, at, false);
    }

    /**
     * Validates and enriches one record value; a re-driven record (sent again after reconciliation found
     * it missing) also carries {@code "redriven":true} among its coordinates.
     */
    public EnrichmentResult enrich(byte[] value, KafkaCoordinates at, boolean redriven) {
        return value == null ? EnrichmentResult.rejected(DeadLetterReason.NOT_JSON, "empty value")
                : enrich(value, 0, value.length, at, redriven);
    }

    /** Validates and enriches the value in {@code value[offset, offset + length)}. */
    public EnrichmentResult enrich(byte[] value, int offset, int length, KafkaCoordinates at, boolean redriven) {
        if (length == 0) {
            return EnrichmentResult.rejected(DeadLetterReason.NOT_JSON, "empty value");
        }
        JsonObjectCheck check = spareCheck.getAndSet(null);
        if (check == null) {
            check = new JsonObjectCheck(key, maxDepth);
        }
        try {
            if (!check.check(value, offset, offset + length)) {
                return EnrichmentResult.rejected(check.problem, check.detail);
            }
            return splice(value, offset, check.close, !check.empty, at, redriven);
        } finally {
            spareCheck.set(check);
        }
    }

    /**
     * The value up to its closing brace at {@code close}, a comma unless it was empty, the coordinates, and a newline: as a
     * recipe whose bytes are written when asked for. The value array is referenced, not copied (the poll holds it anyway).
     */
    private EnrichmentResult splice(byte[] value, int offset, int close, boolean comma, KafkaCoordinates at, boolean redriven) {
        Enriched enriched = new Enriched(value, offset, close - offset, comma, metadataPrefix, quotedTopic(at.topic()), at, redriven);
        if (enriched.size > maxRecordBytes) {
            return EnrichmentResult.rejected(DeadLetterReason.OVERSIZE, "enriched record is " + enriched.size + " bytes, limit " + maxRecordBytes);
        }
        return EnrichmentResult.accepted(enriched);
    }

    /** One validated value and its coordinates, written out enriched on demand. */
    private static final class Enriched implements RecordBytes {
        private final byte[] value;
        private final int offset;
        private final int head;
        private final boolean comma;
        private final byte[] prefix;
        private final byte[] topic;
        private final KafkaCoordinates at;
        private final boolean redriven;
        private final int size;

        Enriched(byte[] value, int offset, int head, boolean comma, byte[] prefix, byte[] topic, KafkaCoordinates at, boolean redriven) {
            this.value = value;
            this.offset = offset;
            this.head = head;
            this.comma = comma;
            this.prefix = prefix;
            this.topic = topic;
            this.at = at;
            this.redriven = redriven;
            this.size = head + (comma ? 1 : 0) + prefix.length + topic.length + PARTITION.length + digits(at.partition())
                    + OFFSET.length + digits(at.offset()) + TIMESTAMP.length + digits(at.timestamp()) + end().length;
        }

        private byte[] end() {
            return redriven ? REDRIVEN_END : END;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public byte[] bytes() {
            byte[] out = new byte[size];
            System.arraycopy(value, offset, out, 0, head);
            writeTail(out, head);
            return out;
        }

        /** The value, when it starts its array (the head is then referenced, not copied); else nothing. */
        @Override
        public byte[] head() {
            return offset == 0 ? value : NO_BYTES;
        }

        @Override
        public int headLength() {
            return offset == 0 ? head : 0;
        }

        @Override
        public int writeRest(byte[] out, int pos) {
            if (offset != 0) {
                System.arraycopy(value, offset, out, pos, head);
                pos += head;
            }
            return writeTail(out, pos);
        }

        /** Everything after the value's head: a comma unless the object was empty, the coordinates, the closing braces and a newline. */
        private int writeTail(byte[] out, int pos) {
            if (comma) {
                out[pos++] = ',';
            }
            pos = put(prefix, out, pos);
            pos = put(topic, out, pos);
            pos = put(PARTITION, out, pos);
            pos = putLong(at.partition(), out, pos);
            pos = put(OFFSET, out, pos);
            pos = putLong(at.offset(), out, pos);
            pos = put(TIMESTAMP, out, pos);
            pos = putLong(at.timestamp(), out, pos);
            return put(end(), out, pos);
        }
    }

    private byte[] quotedTopic(String topic) {
        QuotedTopic last = lastTopic;
        if (last.name.equals(topic)) {
            return last.quoted;
        }
        last = new QuotedTopic(topic, quoted(topic));
        lastTopic = last;
        return last.quoted;
    }

    private record QuotedTopic(String name, byte[] quoted) {
    }

    private static int put(byte[] src, byte[] dst, int pos) {
        System.arraycopy(src, 0, dst, pos, src.length);
        return pos + src.length;
    }

    /** Characters of {@code v} in decimal. */
    static int digits(long v) {
        if (v == Long.MIN_VALUE) {
            return 20;
        }
        int n = v < 0 ? 2 : 1;
        for (long x = Math.abs(v); x >= 10; x /= 10) {
            n++;
        }
        return n;
    }

    /** Writes {@code v} in decimal at {@code pos}; returns the position after it. */
    static int putLong(long v, byte[] out, int pos) {
        if (v == Long.MIN_VALUE) {
            return put(ascii(Long.toString(v)), out, pos);
        }
        int end = pos + digits(v);
        int i = end;
        long x = Math.abs(v);
        do {
            out[--i] = (byte) ('0' + x % 10);
            x /= 10;
        } while (x != 0);
        if (v < 0) {
            out[--i] = '-';
        }
        return end;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] quoted(String s) {
        return ("\"" + escape(s) + "\"").getBytes(StandardCharsets.UTF_8);
    }

    /** Kafka topic names are [a-zA-Z0-9._-]; the key is configuration. Escape defensively anyway. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
