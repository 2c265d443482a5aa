package io.firehosebridge.localfirehose;

import com.fasterxml.jackson.databind.JsonNode;

/** Null-tolerant reads from Jackson trees of request bodies. */
final class Json {

    private Json() {
    }

    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static Integer integer(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt()) {
            throw new FirehoseException("SerializationException", 400, "Cannot read " + field + " as an integer");
        }
        return value.asInt();
    }
}
