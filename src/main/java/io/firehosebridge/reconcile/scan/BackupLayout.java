package io.firehosebridge.reconcile.scan;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where Firehose puts the objects of one arrival hour, for a stream's {@code Prefix} or {@code ErrorOutputPrefix}: the
 * prefix's literal text, {@code !{timestamp:<pattern>}} evaluated in UTC, {@code !{firehose:random-string}} standing for any
 * value, and {@code !{firehose:error-output-type}} (error prefixes only) for any error type. A prefix without a timestamp
 * expression gets Firehose's default {@code yyyy/MM/dd/HH/} appended. For each hour it gives the longest key prefix that can
 * be listed and a pattern the keys of that hour match (the object name after the prefix holds no {@code /}).
 */
public final class BackupLayout {

    private static final Pattern EXPRESSION = Pattern.compile("!\\{([^}]*)}");
    private static final String DEFAULT_HOUR = "yyyy/MM/dd/HH/";
    private static final String ANY_RANDOM = "[A-Za-z0-9]+";
    private static final String ANY_ERROR_TYPE = "[A-Za-z0-9_.-]+";

    /** One piece of a prefix: literal text, a timestamp pattern, or a value that can be anything. */
    private record Part(String literal, DateTimeFormatter timestamp, String anyValue) {
    }

    private final String text;
    private final List<Part> parts;

    private BackupLayout(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * Reads a prefix as Firehose does.
     *
     * @param prefix the prefix (null or empty: the default layout)
     * @param errorPrefix whether it is an {@code ErrorOutputPrefix} (which alone may hold {@code !{firehose:error-output-type}})
     * @throws IllegalArgumentException naming the expression that Firehose would refuse
     */
    public static BackupLayout parse(String prefix, boolean errorPrefix) {
        String p = prefix == null ? "" : prefix;
        List<Part> parts = new ArrayList<>();
        Matcher m = EXPRESSION.matcher(p);
        int at = 0;
        boolean timestamp = false;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(new Part(p.substring(at, m.start()), null, null));
            }
            String expr = m.group(1).strip();
            if (expr.startsWith("timestamp:")) {
                String pattern = expr.substring("timestamp:".length());
                try {
                    parts.add(new Part(null, DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC), null));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("!{" + expr + "} is not a valid timestamp pattern: " + e.getMessage());
                }
                timestamp = true;
            } else if (expr.equals("firehose:random-string")) {
                parts.add(new Part(null, null, ANY_RANDOM));
            } else if (expr.equals("firehose:error-output-type")) {
                if (!errorPrefix) {
                    throw new IllegalArgumentException("!{firehose:error-output-type} is only allowed in an error output prefix");
                }
                parts.add(new Part(null, null, ANY_ERROR_TYPE));
            } else {
                throw new IllegalArgumentException("!{" + expr + "} is not an expression Firehose knows (timestamp:<pattern>, "
                        + "firehose:random-string" + (errorPrefix ? ", firehose:error-output-type" : "") + ")");
            }
            at = m.end();
        }
        if (at < p.length()) {
            parts.add(new Part(p.substring(at), null, null));
        }
        if (!timestamp) {
            parts.add(new Part(null, DateTimeFormatter.ofPattern(DEFAULT_HOUR).withZone(ZoneOffset.UTC), null));
        }
        return new BackupLayout(p, List.copyOf(parts));
    }

    /** Whether the prefix holds expressions (then Firehose appends no default hour folders of its own). */
    public boolean hasExpressions() {
        return EXPRESSION.matcher(text).find();
    }

    /** The prefix as configured. */
    public String text() {
        return text;
    }

    /**
     * The longest key prefix every object of the hour starts with: literal text and timestamps that do not change within the
     * hour, up to the first part that does (a minute pattern, a random string, an error type).
     */
    public String listPrefix(Instant hour) {
        Instant start = hour.truncatedTo(ChronoUnit.HOURS);
        Instant end = start.plus(1, ChronoUnit.HOURS).minusMillis(1);
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part.literal() != null) {
                out.append(part.literal());
            } else if (part.timestamp() != null && part.timestamp().format(start).equals(part.timestamp().format(end))) {
                out.append(part.timestamp().format(start));
            } else {
                break;
            }
        }
        return out.toString();
    }

    /** The keys of objects whose oldest record arrived in the hour: the evaluated prefix, then an object name without {@code /}. */
    public Pattern keys(Instant hour) {
        Instant start = hour.truncatedTo(ChronoUnit.HOURS);
        Instant end = start.plus(1, ChronoUnit.HOURS).minusMillis(1);
        StringBuilder regex = new StringBuilder();
        for (Part part : parts) {
            if (part.literal() != null) {
                regex.append(Pattern.quote(part.literal()));
            } else if (part.anyValue() != null) {
                regex.append(part.anyValue());
            } else if (part.timestamp().format(start).equals(part.timestamp().format(end))) {
                regex.append(Pattern.quote(part.timestamp().format(start)));
            } else {
                regex.append(".+?"); // minutes or finer: any value of the hour
            }
        }
        regex.append("[^/]+");
        return Pattern.compile(regex.toString());
    }
}
