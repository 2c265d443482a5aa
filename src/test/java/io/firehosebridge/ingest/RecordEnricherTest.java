package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class RecordEnricherTest {

    private static final KafkaCoordinates AT = new KafkaCoordinates("clicks", 3, 42, 1_556_609_400_000L);
    private final RecordEnricher enricher = new RecordEnricher("kafka", 20, RecordEnricher.FIREHOSE_MAX_RECORD_BYTES);

    static final String SEED_CLICK = """
            {"user_id":"Aster-Kotlin-Sapphire-564","app_version":"v1.5.16(90)","device_id":"a03cd3d6-0b14-46e1-a2c8-18b1c86cf738",\
            "device_manufacturer":"LG","device_name":"LG G7 ThinQ","device_model":"LM-G710N","device_os":"Android","device_os_number":"8.0",\
            "event":"interest_service_click","interest_id":1201,"index":1,"interest_name":"1","interest_service_id":null,\
            "interest_service_type":"1","interest_service_name":"1","timestamp":"2019-04-30T07:30:00Z"}""";

    private EnrichmentResult enrich(String json) {
        return enricher.enrich(json.getBytes(StandardCharsets.UTF_8), AT);
    }

    @Test
    void addsKafkaCoordinatesUnderOneKeyAndEndsWithNewline() {
        EnrichmentResult result = enrich("{\"a\":1}");
        assertThat(result.isAccepted()).isTrue();
        assertThat(new String(result.data(), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"kafka\":{\"topic\":\"clicks\",\"partition\":3,\"offset\":42,\"timestamp\":1556609400000}}\n");
    }

    @Test
    void keepsSeedClickFieldsAndNullsUntouched() throws Exception {
        EnrichmentResult result = enrich(SEED_CLICK);
        String out = new String(result.data(), StandardCharsets.UTF_8);
        assertThat(out).startsWith(SEED_CLICK.substring(0, SEED_CLICK.length() - 1)).endsWith("}}\n");
        JsonNode doc = new ObjectMapper().readTree(out);
        assertThat(doc.get("interest_service_id").isNull()).isTrue();
        assertThat(doc.get("interest_id").asInt()).isEqualTo(1201);
        assertThat(doc.at("/kafka/offset").asLong()).isEqualTo(42);
        assertThat(doc.at("/kafka/partition").asInt()).isEqualTo(3);
        assertThat(doc.at("/kafka/topic").asText()).isEqualTo("clicks");
    }

    @Test
    void enrichesEmptyObjectAndSurroundingWhitespace() {
        assertThat(new String(enrich(" { } \n").data(), StandardCharsets.UTF_8))
                .isEqualTo(" { \"kafka\":{\"topic\":\"clicks\",\"partition\":3,\"offset\":42,\"timestamp\":1556609400000}}\n");
    }

    @Test
    void rejectsWhatIsNotOneJsonObject() {
        assertThat(enrich("not json").reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enrich("{\"a\":1").reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enrich("{\"a\":1}{\"b\":2}").reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enrich("{\"a\":\"x\u0001y\"}").reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enricher.enrich(new byte[0], AT).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enricher.enrich(null, AT).reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enrich("[1,2]").reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT);
        assertThat(enrich("\"text\"").reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT);
        assertThat(enrich("12").reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT);
        assertThat(enrich("null").reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT);
    }

    @Test
    void rejectsInvalidUtf8AnywhereInTheDocument() {
        byte[] bad = "{\"a\":{\"b\":[\"xx\"]}}".getBytes(StandardCharsets.UTF_8);
        bad[12] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        assertThat(enricher.enrich(bad, AT).reason()).isEqualTo(DeadLetterReason.INVALID_UTF8);
    }

    @Test
    void rejectsDuplicateKeysAtAnyDepth() {
        assertThat(enrich("{\"a\":1,\"a\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"o\":{\"a\":1,\"a\":2}}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"kafka\":1,\"kafka\":2}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich("{\"a\":[{\"b\":1},{\"b\":2}],\"o\":{\"a\":{\"a\":1}},\"b\":1}").isAccepted()).isTrue();
        assertThat(enrich("{\"o\":{\"x\":1},\"x\":{\"o\":2}}").isAccepted()).isTrue();
        assertThat(enrich("{\"a\":1,\"o\":{\"b\":1},\"b\":2,\"a\":3}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        // Past the pairwise comparisons: an object with many keys, a repeat far apart, and none.
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 200; i++) {
            many.append("\"k").append(i).append("\":").append(i).append(',');
        }
        assertThat(enrich(many + "\"z\":{}}").isAccepted()).isTrue();
        assertThat(enrich(many + "\"k5\":0}").reason()).isEqualTo(DeadLetterReason.DUPLICATE_KEY);
        assertThat(enrich(many + "\"k5\":0}").detail()).contains("k5");
    }

    @Test
    void rejectsNestingDeeperThanTheLimit() {
        String deep = "{\"a\":".repeat(25) + "1" + "}".repeat(25);
        assertThat(enrich(deep).reason()).isEqualTo(DeadLetterReason.TOO_DEEP);
        String ok = "{\"a\":".repeat(19) + "1" + "}".repeat(19);
        assertThat(enrich(ok).isAccepted()).isTrue();
    }

    @Test
    void rejectsNumbersBeyondTheParserLimitAsNotJsonRatherThanTooDeep() {
        EnrichmentResult huge = enrich("{\"n\":" + "9".repeat(1_500) + "}");
        assertThat(huge.reason()).isEqualTo(DeadLetterReason.NOT_JSON);
        assertThat(enrich("{\"n\":" + "9".repeat(300) + "}").isAccepted()).isTrue();
    }

    @Test
    void rejectsDocumentThatAlreadyHasTheMetadataKey() {
        assertThat(enrich("{\"kafka\":{}}").reason()).isEqualTo(DeadLetterReason.RESERVED_FIELD);
        assertThat(enrich("{\"o\":{\"kafka\":1}}").isAccepted()).isTrue();
    }

    @Test
    void rejectsRecordOverTheLimitAfterEnrichment() {
        char[] filler = new char[RecordEnricher.FIREHOSE_MAX_RECORD_BYTES - 20];
        Arrays.fill(filler, 'x');
        EnrichmentResult result = enrich("{\"f\":\"" + new String(filler) + "\"}");
        assertThat(result.reason()).isEqualTo(DeadLetterReason.OVERSIZE);
        assertThat(result.detail()).contains("limit 1024000");
    }

    /**
     * The enriched record's base64 written straight from its value (as request bodies are) is the encoding of its bytes, for
     * heads of every length modulo three, an empty object, trailing whitespace longer than the coordinates, a re-driven
     * record, and a value that does not start its array; in the middle of a larger output, leaving the rest untouched.
     */
    @Test
    void laysOutTheEnrichedBytesAsHeadAndRest() {
        java.util.List<byte[]> values = new java.util.ArrayList<>();
        for (String v : java.util.List.of("{}", "{\"a\":1}", "{\"ab\":1}", "{\"abc\":1}", " { } ", SEED_CLICK,
                "{\"a\":\"" + "é".repeat(300) + "\"}", "{\"a\":1}" + " ".repeat(200))) {
            values.add(v.getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] value : values) {
            for (boolean redriven : new boolean[] { false, true }) {
                assertHeadAndRest(enricher.enrich(value, AT, redriven).record());
                byte[] shifted = new byte[value.length + 5];
                System.arraycopy(value, 0, shifted, 5, value.length);
                assertHeadAndRest(enricher.enrich(shifted, 5, value.length, AT, redriven).record());
            }
        }
    }

    /** The head (in place in its array) and the rest written after it are the record's bytes, which a wire encoding relies on. */
    private static void assertHeadAndRest(RecordBytes record) {
        byte[] out = new byte[record.size() + 7];
        Arrays.fill(out, (byte) '#');
        System.arraycopy(record.head(), 0, out, 3, record.headLength());
        int end = record.writeRest(out, 3 + record.headLength());
        assertThat(end).isEqualTo(3 + record.size());
        assertThat(Arrays.copyOfRange(out, 3, end)).isEqualTo(record.bytes());
    }
}
