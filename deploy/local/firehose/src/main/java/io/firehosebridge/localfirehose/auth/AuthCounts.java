package io.firehosebridge.localfirehose.auth;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

/**
 * What the parts that check callers did, for a test to read from {@code GET /_local/auth}: how many temporary credentials
 * the local STS issued, and how many calls each front refused, by the error code it answered with. A run that renews its
 * credentials proves "no call refused" by comparing two readings. The local stack's health checks, which make the STS and
 * the S3 front refuse on purpose, say so with the header {@value #HEALTH_CHECK_HEADER} and are not counted.
 */
@Singleton
public class AuthCounts {

    /** The fronts, as named in the counts. */
    public static final String FIREHOSE = "firehose";
    public static final String SEARCH = "search";
    public static final String S3 = "s3";
    public static final String STS = "sts";

    /** The header of a request made to be refused by a health check: its refusal is not counted. */
    public static final String HEALTH_CHECK_HEADER = "X-Local-Health-Check";

    private final AtomicLong issued = new AtomicLong();
    private final Map<String, Map<String, LongAdder>> refused = new ConcurrentHashMap<>();

    /** Counts one set of credentials issued. */
    public void issued() {
        issued.incrementAndGet();
    }

    /** Counts one call {@code front} refused with {@code code}. */
    public void refused(String front, String code) {
        refused.computeIfAbsent(front, f -> new ConcurrentHashMap<>()).computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    /** Credentials issued since start. */
    public long issuedCount() {
        return issued.get();
    }

    /** Refused calls since start, by front and then code (every front present, empty when it refused nothing). */
    public Map<String, Map<String, Long>> refusedCounts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (String front : new String[] {FIREHOSE, SEARCH, S3, STS}) {
            out.put(front, new TreeMap<>());
        }
        refused.forEach((front, codes) -> codes.forEach((code, n) -> out.computeIfAbsent(front, f -> new TreeMap<>()).put(code, n.sum())));
        return out;
    }
}
