package io.firehosebridge.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * The enricher as it was before {@link JsonObjectCheck}: Jackson's streaming parse validated each value. Kept as the
 * reference {@code RecordEnricherDifferentialTest} holds the new check to.
 */
final class JacksonRecordEnricher {

    /** Firehose's hard per-record limit, in decoded bytes. */
    public static final int FIREHOSE_MAX_RECORD_BYTES = 1_024_000;

    /** Returned by the walk when the metadata key is at the top level: an instance no parsed name can be. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String HAS_KEY = new String("metadata key present");
    /** Keys of one object compared pairwise; beyond this many, a hash set. */
    private static final int LINEAR_NAMES = 32;

    private final JsonFactory factory;
    private final String metadataKey;
    private final byte[] metadataPrefix;
    private final int maxRecordBytes;

    /**
     * @param metadataKey the top-level key the coordinates go under (e.g. {@code kafka})
     * @param maxDepth deepest nesting of objects and arrays accepted
     * @param maxRecordBytes largest enriched record accepted (at most Firehose's limit)
     */
    JacksonRecordEnricher(String metadataKey, int maxDepth, int maxRecordBytes) {
        this.metadataKey = metadataKey;
        this.maxRecordBytes = Math.min(maxRecordBytes, FIREHOSE_MAX_RECORD_BYTES);
        // Duplicate keys are found by duplicateOrTopLevelKey, not by Jackson's STRICT_DUPLICATE_DETECTION: that one builds a HashSet per
        // object of every record, which was 7% of all bytes the bridge allocated per record.
        this.factory = new JsonFactoryBuilder()
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
            String duplicate = duplicateOrTopLevelKey(parser, metadataKey);
            if (duplicate != null && duplicate != HAS_KEY) {
                return EnrichmentResult.rejected(DeadLetterReason.DUPLICATE_KEY, "Duplicate field '" + duplicate + "'");
            }
            if (duplicate == HAS_KEY) {
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
     * Walks the whole object, decoding every string (which is where invalid UTF-8 is detected). Returns the first key
     * that repeats within one object (at any depth), else {@link #HAS_KEY} when {@code key} is at the top level, else
     * null. Keys are compared within their object: the names of all open objects sit on one stack, each object's from
     * where it began; a name is usually the parser's canonical instance, so most comparisons are by identity. An object
     * with more than {@link #LINEAR_NAMES} keys gets a hash set, so a huge object costs no quadratic time.
     */
    private static String duplicateOrTopLevelKey(JsonParser parser, String key) throws IOException {
        boolean found = false;
        String[] names = new String[32];
        int size = 0;
        int[] objectStart = new int[16];
        HashSet<?>[] large = null;
        int depth = 1;
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new JsonParseException(parser, "Unexpected end of input");
            }
            switch (token) {
                case START_OBJECT, START_ARRAY -> {
                    depth++;
                    if (depth == objectStart.length) {
                        objectStart = Arrays.copyOf(objectStart, depth * 2);
                    }
                    objectStart[depth] = size;
                }
                case END_OBJECT, END_ARRAY -> {
                    size = objectStart[depth];
                    if (large != null && large.length > depth) {
                        large[depth] = null;
                    }
                    depth--;
                }
                case FIELD_NAME -> {
                    String name = parser.currentName();
                    int inObject = size - objectStart[depth];
                    if (inObject < LINEAR_NAMES) {
                        for (int i = objectStart[depth]; i < size; i++) {
                            String other = names[i];
                            if (other == name || other.equals(name)) {
                                return name;
                            }
                        }
                    } else {
                        if (large == null || large.length <= depth) {
                            large = Arrays.copyOf(large == null ? new HashSet<?>[0] : large, objectStart.length);
                        }
                        @SuppressWarnings("unchecked")
                        HashSet<String> set = (HashSet<String>) large[depth];
                        if (set == null) {
                            set = new HashSet<>(Arrays.asList(names).subList(objectStart[depth], size));
                            large[depth] = set;
                        }
                        if (!set.add(name)) {
                            return name;
                        }
                    }
                    if (size == names.length) {
                        names = Arrays.copyOf(names, size * 2);
                    }
                    names[size++] = name;
                    found |= depth == 1 && key.equals(name);
                }
                case VALUE_STRING -> parser.getTextLength();
                default -> {
                }
            }
        }
        return found ? HAS_KEY : null;
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
        return EnrichmentResult.accepted(RecordBytes.of(out));
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
