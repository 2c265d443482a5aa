package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Holds {@link RecordEnricher} (one pass of {@link JsonObjectCheck}) to what the Jackson-based enricher it replaced did,
 * on generated documents and on single-byte mutations of them: the same records accepted, byte for byte the same output,
 * and the same dead-letter reason. Intended differences: invalid UTF-8 that Jackson let through (in keys at all, in
 * strings as overlong forms, encoded surrogates or code points past U+10FFFF) is now refused; and the check says "invalid
 * UTF-8" only for bytes that are not well-formed UTF-8, where Jackson also called a misplaced "é" so.
 */
class RecordEnricherDifferentialTest {

    private static final KafkaCoordinates AT = new KafkaCoordinates("clicks", 3, 42, 1_556_609_400_000L);
    private static final int MAX_DEPTH = 6;
    private final RecordEnricher enricher = new RecordEnricher("kafka", MAX_DEPTH, RecordEnricher.FIREHOSE_MAX_RECORD_BYTES);
    private final JacksonRecordEnricher reference = new JacksonRecordEnricher("kafka", MAX_DEPTH, RecordEnricher.FIREHOSE_MAX_RECORD_BYTES);
    private final Map<DeadLetterReason, Integer> seen = new EnumMap<>(DeadLetterReason.class);

    @Test
    void acceptsRejectsAndEnrichesAsTheJacksonParseDid() {
        Random random = new Random(20261201);
        int accepted = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] doc = document(random);
            accepted += compare(doc) ? 1 : 0;
            for (int m = 0; m < 4; m++) {
                compare(mutate(doc, random));
            }
        }
        // The generator and mutations reach every reason the check can give, and plenty of acceptances.
        assertThat(accepted).isGreaterThan(15_000);
        assertThat(seen.keySet()).contains(DeadLetterReason.NOT_JSON, DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.INVALID_UTF8,
                DeadLetterReason.DUPLICATE_KEY, DeadLetterReason.TOO_DEEP, DeadLetterReason.RESERVED_FIELD);
    }

    @Test
    void refusesTheInvalidUtf8JacksonLetThrough() {
        for (byte[] bad : new byte[][] { { (byte) 0xC0, (byte) 0xAF }, { (byte) 0xE0, (byte) 0x80, (byte) 0xAF },
                { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80 } }) {
            byte[] doc = concat("{\"a\":\"x".getBytes(StandardCharsets.US_ASCII), bad, "\"}".getBytes(StandardCharsets.US_ASCII));
            assertThat(enricher.enrich(doc, AT).reason()).as(Arrays.toString(bad)).isEqualTo(DeadLetterReason.INVALID_UTF8);
        }
    }

    @Test
    void findsDuplicatesWrittenWithEscapesAndInLargeObjects() {
        assertThat(enrich("{\"a\":1,\"\\u0061\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"é\":1,\"\\u00e9\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"😀\":1,\"\\ud83d\\ude00\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"\\ud83d\":1,\"\\ud83d\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"\\ud83d\":1,\"\\ude00\":2,\"a\\/b\":3,\"a/c\":4}").isAccepted()).isTrue();
        assertThat(enrich("{\"\\u006bafka\":1}").reason()).isEqualTo(DeadLetterReason.RESERVED_FIELD);
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 5_000; i++) {
            many.append("\"k").append(i).append("\":{\"k").append(i).append("\":1},");
        }
        assertThat(enrich(many + "\"last\":0}").isAccepted()).isTrue();
        assertThat(enrich(many + "\"k\\u0034999\":0}").detail()).isEqualTo("Duplicate field 'k4999'");
    }

    @Test
    void findsADuplicateOfEveryKeyWhicheverWayTheObjectIsSearched() {
        // Up to 40 keys crosses the 32 from which an object's keys go into a hash table; the nested siblings reuse a depth.
        for (int keys = 1; keys <= 40; keys++) {
            StringBuilder object = new StringBuilder("{");
            for (int k = 0; k < keys; k++) {
                object.append("\"k").append(k).append("\":").append(k).append(',');
            }
            for (int dup = 0; dup < keys; dup++) {
                String doc = object + "\"k" + dup + "\":0}";
                assertThat(enrich(doc).reason()).as("%d keys, k%d again", keys, dup).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
                String nested = "{\"a\":{\"k0\":1},\"b\":" + object + "\"k" + dup + "\":0}}";
                assertThat(enrich(nested).reason()).as("in a second sibling, %d keys, k%d again", keys, dup)
                        .isEqualTo(DeadLetterReason.DUPLICATE_KEY);
            }
            assertThat(enrich(object + "\"last\":0}").isAccepted()).as("%d distinct keys", keys).isTrue();
        }
    }

    @Test
    void readsAValueInTheMiddleOfALargerBuffer() {
        byte[] buffer = "xx{\"a\":1}yy".getBytes(StandardCharsets.US_ASCII);
        EnrichmentResult viewed = enricher.enrich(buffer, 2, 7, AT, false);
        assertThat(new String(viewed.data(), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"kafka\":{\"topic\":\"clicks\",\"partition\":3,\"offset\":42,\"timestamp\":1556609400000}}\n");
        assertThat(enricher.enrich(buffer, 2, 6, AT, false).detail()).isEqualTo("unexpected end of input");
    }

    private EnrichmentResult enrich(String json) {
        return enricher.enrich(json.getBytes(StandardCharsets.UTF_8), AT);
    }

    /** Compares both enrichers on {@code doc}; returns whether it was accepted. */
    private boolean compare(byte[] doc) {
        EnrichmentResult actual = enricher.enrich(doc, AT);
        EnrichmentResult expected = reference.enrich(doc, AT);
        String what = new String(doc, StandardCharsets.ISO_8859_1);
        if (actual.reason() != null) {
            seen.merge(actual.reason(), 1, Integer::sum);
        }
        if (zeroInFirstFour(doc)) {
            // Jackson guessed UTF-16 or UTF-32 from a zero byte among the first four and read something else; a zero byte
            // is never JSON outside a string and never unescaped inside one. (The generator's documents start with '{' and a
            // mutation changes one byte, so the check meets the zero inside the object, where it says NOT_JSON.)
            assertThat(actual.reason()).as("%s: %s", what, actual.detail()).isEqualTo(DeadLetterReason.NOT_JSON);
            return false;
        }
        boolean utf8 = validUtf8(doc);
        if (actual.reason() == DeadLetterReason.INVALID_UTF8 || expected.isAccepted() && !utf8) {
            // Invalid UTF-8 is refused wherever it is, and only when it is there: Jackson missed it in keys and strings.
            assertThat(utf8).as("%s: %s", what, actual.detail()).isFalse();
            assertThat(actual.reason()).as(what).isEqualTo(DeadLetterReason.INVALID_UTF8);
            return false;
        }
        if (expected.reason() == DeadLetterReason.NOT_JSON || expected.reason() == DeadLetterReason.INVALID_UTF8) {
            // Both say the document is broken; only the check never calls a document that is valid UTF-8 invalid UTF-8.
            assertThat(actual.reason()).as("%s: %s against %s", what, actual.detail(), expected.detail()).isEqualTo(DeadLetterReason.NOT_JSON);
            return false;
        }
        assertThat(actual.reason()).as("%s: %s against %s", what, actual.detail(), expected.detail()).isEqualTo(expected.reason());
        if (expected.isAccepted()) {
            assertThat(actual.data()).as(what).isEqualTo(expected.data());
        }
        return actual.isAccepted();
    }

    private static boolean zeroInFirstFour(byte[] doc) {
        for (int i = 0; i < Math.min(4, doc.length); i++) {
            if (doc[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean validUtf8(byte[] doc) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(doc));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static final String[] KEYS = { "a", "b", "user_id", "event", "kafka", "é", "\\u0061", "a\\\"b", "\\n", "k1", "k2", "😀" };
    private static final String[] SCALARS = { "0", "-1", "12.5", "1e9", "-0.0E-3", "true", "false", "null", "\"\"", "\"text\"",
            "\"é ü 😀\"", "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\"", "\"\\ud83d\\ude00\"", "123456789012345678901234567890",
            // Longer than a word of the eight-byte scan, so that mutations land at every place in one.
            "\"a plain sentence of some length, 0123456789\"", "\"plain before é, \\\" and \\n after them too\"" };

    private static byte[] document(Random random) {
        StringBuilder out = new StringBuilder();
        if (random.nextInt(20) == 0) {
            out.append(" \t\r\n".charAt(random.nextInt(4)));
        }
        object(out, random, 1);
        if (random.nextInt(20) == 0) {
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void object(StringBuilder out, Random random, int depth) {
        out.append('{');
        int members = random.nextInt(depth == 1 ? 8 : 4);
        for (int i = 0; i < members; i++) {
            if (i > 0) {
                out.append(random.nextInt(10) == 0 ? ", " : ",");
            }
            // Mostly distinct keys; sometimes a repeat, and the metadata key at the top level.
            String key = depth == 1 && random.nextInt(40) == 0 ? "kafka" : random.nextInt(30) == 0 ? KEYS[random.nextInt(KEYS.length)]
                    : "f" + depth + "_" + i;
            out.append('"').append(key).append(random.nextInt(10) == 0 ? "\" : " : "\":");
            value(out, random, depth);
        }
        out.append('}');
    }

    private static void value(StringBuilder out, Random random, int depth) {
        int kind = random.nextInt(10);
        if (kind == 0 && depth < MAX_DEPTH + 1) {
            object(out, random, depth + 1);
        } else if (kind == 1 && depth < MAX_DEPTH + 1) {
            out.append('[');
            int items = random.nextInt(4);
            for (int i = 0; i < items; i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(out, random, depth + 1);
            }
            out.append(']');
        } else {
            out.append(SCALARS[random.nextInt(SCALARS.length)]);
        }
    }

    /** One byte replaced, inserted or removed; the replacement is often a JSON-significant or a non-ASCII byte. */
    private static byte[] mutate(byte[] doc, Random random) {
        byte[] interesting = "{}[]\",:\\ 0-.eEtfnu".getBytes(StandardCharsets.US_ASCII);
        int at = random.nextInt(doc.length);
        byte b = switch (random.nextInt(3)) {
            case 0 -> interesting[random.nextInt(interesting.length)];
            case 1 -> (byte) (0x80 + random.nextInt(128));
            default -> (byte) random.nextInt(256);
        };
        return switch (random.nextInt(3)) {
            case 0 -> {
                byte[] copy = doc.clone();
                copy[at] = b;
                yield copy;
            }
            case 1 -> concat(Arrays.copyOf(doc, at), new byte[] { b }, Arrays.copyOfRange(doc, at, doc.length));
            default -> concat(Arrays.copyOf(doc, at), Arrays.copyOfRange(doc, at + 1, doc.length));
        };
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }
}
