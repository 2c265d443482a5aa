package io.firehosebridge.localfirehose.searchfront;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in search engine on a free loopback port that keeps every request it gets: {@code GET /} answers as
 * OpenSearch 2.19.6 does, {@code /_bulk} indexes every document (201 each), a path under {@code /missing} is 404 as an
 * unknown index, and any other request is echoed back as JSON (201 for PUT, 200 else) with a header of its own.
 */
final class FakeEngine implements AutoCloseable {

    /** A request as the engine received it: header names lower-cased. */
    record Received(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();

    FakeEngine() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What the engine received so far, oldest first. */
    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    void clear() {
        synchronized (received) {
            received.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        synchronized (received) {
            received.add(new Received(method, path, query, headers, body));
        }
        int status;
        String answer;
        if ("GET".equals(method) && "/".equals(path)) {
            status = 200;
            answer = "{\"name\":\"fake\",\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.19.6\"},\"tagline\":\"The OpenSearch Project\"}";
        } else if (path.equals("/_bulk")) {
            StringBuilder items = new StringBuilder();
            long documents = body.lines().filter(l -> !l.isBlank()).count() / 2;
            for (long i = 0; i < documents; i++) {
                items.append(i == 0 ? "" : ",").append("{\"index\":{\"status\":201}}");
            }
            status = 200;
            answer = "{\"errors\":false,\"items\":[" + items + "]}";
        } else if (path.startsWith("/missing")) {
            status = 404;
            answer = "{\"error\":{\"type\":\"index_not_found_exception\"},\"status\":404}";
        } else {
            status = "PUT".equals(method) ? 201 : 200;
            answer = "{\"method\":\"" + method + "\",\"path\":\"" + path + "\",\"bodyLength\":" + body.length() + "}";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
        exchange.getResponseHeaders().add("X-Fake-Engine", "answered");
        if ("HEAD".equals(method)) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
