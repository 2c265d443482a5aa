package io.firehosebridge.reconcile.api;

import static io.firehosebridge.reconcile.ReconcileException.clip;

import io.firehosebridge.reconcile.ReconcileException;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads a request body into its record with Jackson, strictly, and turns every way it can be wrong into a 400 problem
 * that names the field: JSON that does not parse (with line and column), a body that is not an object, an unknown field,
 * a value of the wrong type or out of range. The record checks its own values (required fields, ranges) in its
 * constructor and throws the 400 itself.
 *
 * <p>A mapper of its own, not the service's: Quarkus's mapper ignores unknown fields (it reads the job topic's older
 * records too) and, like Jackson by default, coerces {@code "5"} to 5, {@code 1.5} to 1 and {@code 42} to {@code "42"}.
 */
final class JsonBody {

    private static final CoercionInputShape[] SCALARS = { CoercionInputShape.Integer, CoercionInputShape.Float,
            CoercionInputShape.String, CoercionInputShape.Boolean, CoercionInputShape.EmptyString, CoercionInputShape.EmptyArray,
            CoercionInputShape.EmptyObject };

    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY, DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS,
                    DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfigDefaults(config -> {
                // A value of another JSON type is never converted: a number is no string, a string no number.
                for (CoercionInputShape shape : SCALARS) {
                    config.setCoercion(shape, CoercionAction.Fail);
                }
            })
            .build();

    private JsonBody() {
    }

    /**
     * The body as a {@code type}.
     *
     * @param shape the expected shape, for the detail of a body that is not JSON or not an object
     * @param fields what each field must hold, by name ({@code name[]}: each entry of an array), for the detail of a value of the
     *        wrong type
     */
    static <T> T read(String body, Class<T> type, String shape, Map<String, String> fields) {
        T value;
        try {
            value = body == null || body.isBlank() ? null : STRICT.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw refusal(body, e, shape, fields);
        }
        if (value == null) {
            throw ReconcileException.invalidRequest("The body must be a JSON object: " + shape);
        }
        return value;
    }

    private static ReconcileException refusal(String body, JsonProcessingException e, String shape, Map<String, String> fields) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ReconcileException refused) {
                return refused; // the record refused a value
            }
            if (t instanceof JsonParseException || t instanceof StreamConstraintsException) {
                JsonProcessingException parse = (JsonProcessingException) t;
                // Constraint violations (nesting too deep, numbers too long) may carry no location.
                String where = parse.getLocation() == null || parse.getLocation().getLineNr() < 1 ? "it exceeds the parser's limits"
                        : "line " + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr();
                return ReconcileException.invalidRequest("The body is not valid JSON (" + where + "); " + shape);
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return ReconcileException.invalidRequest("Unknown field '" + clip(unknown.getPropertyName()) + "': " + shape);
        }
        List<JsonMappingException.Reference> path = e instanceof JsonMappingException mapping ? mapping.getPath() : List.of();
        if (path.isEmpty() || path.get(0).getFieldName() == null) {
            return ReconcileException.invalidRequest("The body must be a JSON object: " + shape);
        }
        String field = path.get(0).getFieldName();
        boolean entry = path.size() > 1 && path.get(1).getIndex() >= 0 && fields.containsKey(field + "[]");
        String name = entry ? field + "[" + path.get(1).getIndex() + "]" : field;
        String what = fields.getOrDefault(entry ? field + "[]" : field, "something else");
        return ReconcileException.invalidRequest("'" + clip(name) + "' must be " + what + given(body, path.subList(0, entry ? 2 : 1)));
    }

    /** ", not" and the value the body holds at {@code path}, as JSON; empty when it has none there. */
    private static String given(String body, List<JsonMappingException.Reference> path) {
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            return "";
        }
        for (JsonMappingException.Reference step : path) {
            node = step.getFieldName() != null ? node.path(step.getFieldName()) : node.path(step.getIndex());
        }
        return node.isMissingNode() ? "" : ", not " + clip(node.toString());
    }
}
