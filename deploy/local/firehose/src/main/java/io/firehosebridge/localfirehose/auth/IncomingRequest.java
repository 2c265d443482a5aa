package io.firehosebridge.localfirehose.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

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

    /** What the signature covers, as Vert.x received it (path and query still percent-encoded). */
    public static IncomingRequest from(HttpServerRequest request, Buffer body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue()));
        return new IncomingRequest(request.method().name(), request.path(), request.query(), headers, body.getBytes());
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
