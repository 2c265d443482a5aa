package io.firehosebridge.localfirehose.api;

import com.fasterxml.jackson.databind.JsonNode;

/** Null-tolerant reads from Jackson trees of request bodies. */
public final class Json {

    private Json() {
    }

    /** The field as text; null when the node or the field is missing or null. */
    public static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The field as an integer; null when missing or null, SerializationException when not an integer. */
    public static Integer integer(JsonNode node, String field) {
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
