package io.firehosebridge.reconcile.api;

import static io.firehosebridge.reconcile.ReconcileException.clip;

import io.firehosebridge.reconcile.ReconcileException;

/** Parsing of request values (path and query parameters) for the reconciliation API and the coverage page. */
public final class ApiText {

    private ApiText() {
    }

    /** A whole number given as text; 400 naming the parameter when it is not one. */
    public static Long parseLong(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ReconcileException.invalidRequest("'" + name + "' must be a whole number, not '" + clip(value) + "'");
        }
    }

    /** A flag given as text: true or false (absent: false); 400 naming the parameter otherwise. */
    public static boolean parseBoolean(String name, String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        return switch (value.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ReconcileException.invalidRequest("'" + name + "' must be true or false, not '" + clip(value) + "'");
        };
    }

    /** A partition number given as text. */
    public static int parsePartition(String value) {
        Long p = parseLong("partition", value);
        if (p == null || p < 0 || p > Integer.MAX_VALUE) {
            throw ReconcileException.invalidRequest("'partition' must be a partition number (0 or more), not '" + clip(value) + "'");
        }
        return p.intValue();
    }
}
