package io.firehosebridge.identity;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one audit line of a call that changes something (start a job, re-drive, repair, cancel): who (the subject, never
 * the token), what, which reconciliation or job, and the answer's status. Refused calls are audited too. Key=value pairs
 * in a fixed order, values quoted only when they hold a space or a quote, so that log tools can parse them.
 */
public final class AuditLine {

    private static final Pattern JOB = Pattern.compile("^/?reconciliations/([^/]+)$");
    private static final Pattern ACTION_ON_JOB = Pattern.compile("^/?reconciliations/([^/]+)/(redrive|repair)$");
    private static final Pattern START = Pattern.compile("^/?reconciliations/?$");
    private static final Pattern LOCATION = Pattern.compile("/reconciliations/([^/?]+)$");

    private AuditLine() {
    }

    /**
     * @param caller who called; null when the call was refused before anyone was identified
     * @param method the HTTP method
     * @param path the request path
     * @param dryRun the repair's dryRun parameter as given, or null
     * @param location the answer's Location header (a new job), or null
     * @param status the answer's status
     */
    public static String of(Caller caller, String method, String path, String dryRun, String location, int status) {
        StringBuilder line = new StringBuilder("audit");
        pair(line, "subject", caller == null ? "-" : caller.subject());
        if (caller != null && !caller.name().equals(caller.subject())) {
            pair(line, "name", caller.name());
        }
        pair(line, "access", caller == null || caller.access() == null ? "none" : caller.access().label());
        String newJob = location == null ? null : match(LOCATION, location);
        Matcher m;
        if ("POST".equalsIgnoreCase(method) && START.matcher(path).matches()) {
            pair(line, "action", "start-reconciliation");
            pair(line, "job", newJob == null ? "-" : newJob);
        } else if ("POST".equalsIgnoreCase(method) && (m = ACTION_ON_JOB.matcher(path)).matches()) {
            pair(line, "action", m.group(2));
            pair(line, "reconciliation", m.group(1));
            if ("repair".equals(m.group(2))) {
                pair(line, "dryRun", dryRun == null || dryRun.isBlank() ? "false" : dryRun);
            }
            pair(line, "job", newJob == null ? "-" : newJob);
        } else if ("DELETE".equalsIgnoreCase(method) && (m = JOB.matcher(path)).matches()) {
            pair(line, "action", "cancel");
            pair(line, "job", m.group(1));
        } else {
            pair(line, "action", method.toUpperCase(java.util.Locale.ROOT) + " " + (path.startsWith("/") ? path : "/" + path));
        }
        pair(line, "status", Integer.toString(status));
        return line.toString();
    }

    private static String match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static void pair(StringBuilder line, String key, String value) {
        // Never more than a line: control characters (a forged line break) and very long values are cut.
        String clean = value.replaceAll("[\\p{Cntrl}]", "?");
        if (clean.length() > 200) {
            clean = clean.substring(0, 200) + "…";
        }
        line.append(' ').append(key).append('=');
        if (clean.isEmpty() || clean.contains(" ") || clean.contains("\"") || clean.contains("=")) {
            line.append('"').append(clean.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
            line.append(clean);
        }
    }
}
