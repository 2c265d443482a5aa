package io.firehosebridge.localfirehose.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a SigV4 signature covers, as the request arrived: the method, the path and query exactly as sent (still
 * percent-encoded), every header (names lower-cased, values in arrival order) and the body.
 */
public record IncomingRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {

    public IncomingRequest {
        rawQuery = rawQuery == null ? "" : rawQuery;
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
        headers = Map.copyOf(lower);
    }

    /** The values of a header (any case), empty if it is absent. */
    public List<String> header(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The first value of a header, or null. */
    public String first(String name) {
        List<String> values = header(name);
        return values.isEmpty() ? null : values.get(0);
    }
}
