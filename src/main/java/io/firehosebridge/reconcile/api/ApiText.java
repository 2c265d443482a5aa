package io.firehosebridge.reconcile.api;

/** Parsing and quoting of request values for the reconciliation API's problem messages. */
public final class ApiText {

    private ApiText() {
    }

    /** A caller's value, shortened so a problem never echoes a huge or hostile input back. */
    public static String clip(String value) {
        if (value == null) {
            return "null";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }

    /** A whole number given as text; 400 naming the parameter when it is not one. */
    public static Long parseLong(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("'" + name + "' must be a whole number, not '" + clip(value) + "'");
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
            default -> throw ApiException.badRequest("'" + name + "' must be true or false, not '" + clip(value) + "'");
        };
    }

    /** A partition number given as text. */
    public static int parsePartition(String value) {
        Long p = parseLong("partition", value);
        if (p == null || p < 0 || p > Integer.MAX_VALUE) {
            throw ApiException.badRequest("'partition' must be a partition number (0 or more), not '" + clip(value) + "'");
        }
        return p.intValue();
    }
}
