package io.firehosebridge.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Validates that a Kafka value is exactly one JSON object and adds the record's Kafka coordinates
 * under one top-level key, without building a tree: a streaming parse checks the document, then the
 * coordinates are spliced in before the closing brace and a newline is appended. Unknown fields and
 * nulls pass through byte for byte.
 *
 * <p>Output for {@code {"a":1}} at clicks/3/42: {@code {"a":1,"kafka":{"topic":"clicks","partition":3,"offset":42,"timestamp":1700000000000}}\n}.
 */
public final class RecordEnricher {

    /** Firehose's hard per-record limit, in decoded bytes. */
    public static final int FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

    private final JsonFactory factory;
    private final String metadataKey;
    private final byte[] metadataPrefix;
    private final int maxRecordBytes;

    /**
     * @param metadataKey the top-level key the coordinates go under (e.g. {@code kafka})
     * @param maxDepth deepest nesting of objects and arrays accepted
     * @param maxRecordBytes largest enriched record accepted (at most Firehose's limit)
     */
    public RecordEnricher(String metadataKey, int maxDepth, int maxRecordBytes) {
        this.metadataKey = metadataKey;
        this.maxRecordBytes = Math.min(maxRecordBytes, FIREHOSE_MAX_RECORD_BYTES);
        this.factory = new JsonFactoryBuilder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
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
        if (value == null || value.length == 0) {
            return EnrichmentResult.rejected(DeadLetterReason.NOT_JSON, "empty value");
        }
        DeadLetterReason problem;
        String detail;
        try (JsonParser parser = factory.createParser(value)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return EnrichmentResult.rejected(DeadLetterReason.NOT_AN_OBJECT, "top-level JSON value is " + describe(first));
            }
            if (hasTopLevelKey(parser, metadataKey)) {
                return EnrichmentResult.rejected(DeadLetterReason.RESERVED_FIELD,
                        "the document already has the top-level key '" + metadataKey + "'");
            }
            if (parser.nextToken() != null) {
                return EnrichmentResult.rejected(DeadLetterReason.NOT_JSON, "content after the JSON object");
            }
            return splice(value, at, redriven);
        } catch (StreamConstraintsException e) {
            // The parser's limits: nesting depth (ours), or number, string and name lengths (Jackson's), which are not depth.
            String message = e.getOriginalMessage();
            problem = message != null && message.contains("nesting depth") ? DeadLetterReason.TOO_DEEP : DeadLetterReason.NOT_JSON;
            detail = firstLine(message);
        } catch (JsonParseException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                problem = DeadLetterReason.DUPLICATE_KEY;
            } else if (message != null && message.contains("UTF-8")) {
                problem = DeadLetterReason.INVALID_UTF8;
            } else {
                problem = DeadLetterReason.NOT_JSON;
            }
            detail = firstLine(message);
        } catch (IOException e) {
            problem = DeadLetterReason.NOT_JSON;
            detail = firstLine(e.getMessage());
        }
        return EnrichmentResult.rejected(problem, detail);
    }

    /**
     * Walks the whole object, decoding every string (which is where invalid UTF-8 is detected), and
     * reports whether the given key is at its top level.
     */
    private static boolean hasTopLevelKey(JsonParser parser, String key) throws IOException {
        boolean found = false;
        int depth = 1;
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new JsonParseException(parser, "Unexpected end of input");
            }
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME -> found |= depth == 1 && key.equals(parser.currentName());
                case VALUE_STRING -> parser.getTextLength();
                default -> {
                }
            }
        }
        return found;
    }

    private EnrichmentResult splice(byte[] value, KafkaCoordinates at, boolean redriven) {
        int close = value.length - 1;
        while (value[close] != '}') {
            close--; // skip trailing whitespace; the parser proved the last token is '}'
        }
        int open = 0;
        while (value[open] != '{') {
            open++;
        }
        boolean empty = true;
        for (int i = open + 1; i < close; i++) {
            byte b = value[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                empty = false;
                break;
            }
        }
        byte[] topic = quoted(at.topic());
        byte[] tail = (",\"partition\":" + at.partition() + ",\"offset\":" + at.offset() + ",\"timestamp\":" + at.timestamp()
                + (redriven ? ",\"redriven\":true}}\n" : "}}\n"))
                .getBytes(StandardCharsets.US_ASCII);
        int size = close + (empty ? 0 : 1) + metadataPrefix.length + topic.length + tail.length;
        if (size > maxRecordBytes) {
            return EnrichmentResult.rejected(DeadLetterReason.OVERSIZE,
                    "enriched record is " + size + " bytes, limit " + maxRecordBytes);
        }
        byte[] out = new byte[size];
        System.arraycopy(value, 0, out, 0, close);
        int pos = close;
        if (!empty) {
            out[pos++] = ',';
        }
        System.arraycopy(metadataPrefix, 0, out, pos, metadataPrefix.length);
        pos += metadataPrefix.length;
        System.arraycopy(topic, 0, out, pos, topic.length);
        pos += topic.length;
        System.arraycopy(tail, 0, out, pos, tail.length);
        return EnrichmentResult.accepted(out);
    }

    private static byte[] quoted(String s) {
        return ("\"" + escape(s) + "\"").getBytes(StandardCharsets.UTF_8);
    }

    /** Kafka topic names are [a-zA-Z0-9._-]; the key is configuration. Escape defensively anyway. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "missing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unparseable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
