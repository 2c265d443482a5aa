package io.firehosebridge.route;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads one top-level field of a JSON object without building it: the parser walks the object's top level, skipping nested
 * values whole, and stops at the field. What routes by field cost per record.
 */
final class FieldValue {

    private static final JsonFactory JSON = new JsonFactory();

    private FieldValue() {
    }

    /** The field's value as text (a string's content, a number or boolean as written); null when absent, null, nested or not JSON. */
    static String of(byte[] json, String field) {
        return of(json, 0, json.length, field);
    }

    /**
     * The same for the JSON in {@code json[offset, offset + length)}. The object may stop short of its closing brace (the
     * pipeline hands the record's value as validated, up to that brace): a field found before the end is found all the same.
     */
    static String of(byte[] json, int offset, int length, String field) {
        try (JsonParser p = JSON.createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                JsonToken value = p.nextToken();
                if (wanted) {
                    return value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL ? p.getText() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
