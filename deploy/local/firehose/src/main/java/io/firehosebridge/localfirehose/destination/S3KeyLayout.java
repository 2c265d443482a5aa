package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object keys as Firehose forms them: evaluated prefix + {@code <stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>},
 * all in UTC of the oldest record's arrival. Prefix expressions: {@code !{timestamp:<pattern>}},
 * {@code !{firehose:random-string}}, and in error prefixes {@code !{firehose:error-output-type}}.
 */
public final class S3KeyLayout {

    private static final Pattern EXPRESSION = Pattern.compile("!\\{([^}]*)}");
    private static final DateTimeFormatter DEFAULT_PREFIX = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH/").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OBJECT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss").withZone(ZoneOffset.UTC);
    private static final char[] RANDOM_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private S3KeyLayout() {
    }

    /** Key of an object whose oldest record arrived at {@code oldestArrival}. */
    public static String objectKey(String evaluatedPrefix, String stream, String versionId, Instant oldestArrival,
            UUID uuid, String extension) {
        return evaluatedPrefix + stream + "-" + versionId + "-" + OBJECT_TIME.format(oldestArrival) + "-" + uuid + extension;
    }

    /**
     * Evaluates a prefix. A null or empty prefix gives {@code yyyy/MM/dd/HH/}; a prefix without a timestamp
     * expression gets {@code yyyy/MM/dd/HH/} appended. {@code errorOutputType} is null for the main prefix.
     */
    public static String evaluatePrefix(String prefix, Instant arrival, String errorOutputType) {
        String p = prefix == null ? "" : prefix;
        StringBuilder out = new StringBuilder();
        Matcher m = EXPRESSION.matcher(p);
        boolean hasTimestamp = false;
        while (m.find()) {
            String expr = m.group(1).strip();
            String value;
            if (expr.startsWith("timestamp:")) {
                hasTimestamp = true;
                value = DateTimeFormatter.ofPattern(expr.substring("timestamp:".length())).withZone(ZoneOffset.UTC).format(arrival);
            } else if (expr.equals("firehose:random-string")) {
                value = randomString();
            } else if (expr.equals("firehose:error-output-type") && errorOutputType != null) {
                value = errorOutputType;
            } else {
                throw FirehoseException.invalidArgument("Unsupported expression !{" + expr + "} in prefix " + p);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (!hasTimestamp) {
            out.append(DEFAULT_PREFIX.format(arrival));
        }
        return out.toString();
    }

    /** Checks a prefix at CreateDeliveryStream time the way Firehose does. */
    public static void validate(String prefix, String errorOutputPrefix) {
        boolean prefixHasExpressions = prefix != null && EXPRESSION.matcher(prefix).find();
        check(prefix, false);
        check(errorOutputPrefix, true);
        if (prefixHasExpressions && (errorOutputPrefix == null || errorOutputPrefix.isEmpty())) {
            throw FirehoseException.invalidArgument("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.");
        }
    }

    private static void check(String prefix, boolean errorPrefix) {
        if (prefix == null) {
            return;
        }
        Matcher m = EXPRESSION.matcher(prefix);
        while (m.find()) {
            String expr = m.group(1).strip();
            if (expr.startsWith("timestamp:")) {
                try {
                    DateTimeFormatter.ofPattern(expr.substring("timestamp:".length()));
                } catch (IllegalArgumentException e) {
                    throw FirehoseException.invalidArgument("Invalid timestamp format in prefix: " + expr);
                }
            } else if (expr.equals("firehose:error-output-type")) {
                if (!errorPrefix) {
                    throw FirehoseException.invalidArgument(
                            "The expression !{firehose:error-output-type} is only allowed in ErrorOutputPrefix.");
                }
            } else if (!expr.equals("firehose:random-string")) {
                throw FirehoseException.invalidArgument("Unsupported expression !{" + expr + "} in prefix.");
            }
        }
    }

    /** Eleven random characters, the length Firehose uses for {@code !{firehose:random-string}}. */
    static String randomString() {
        char[] chars = new char[11];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = RANDOM_CHARS[random.nextInt(RANDOM_CHARS.length)];
        }
        return new String(chars);
    }
}
