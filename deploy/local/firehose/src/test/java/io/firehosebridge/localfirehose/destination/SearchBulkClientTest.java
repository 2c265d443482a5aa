package io.firehosebridge.localfirehose.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.firehosebridge.localfirehose.destination.SearchBulkClient.BulkDocument;
import io.firehosebridge.localfirehose.destination.SearchBulkClient.DocumentError;

class SearchBulkClientTest {

    private final List<String> requests = new ArrayList<>();
    private final HttpServer cluster = startCluster();

    /** Answers every _bulk request with one item per document: 400 for documents whose source contains "bad". */
    private HttpServer startCluster() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/_bulk", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (requests) {
                    requests.add(body);
                }
                String[] lines = body.split("\n");
                StringBuilder items = new StringBuilder();
                for (int i = 1; i < lines.length; i += 2) {
                    items.append(items.length() == 0 ? "" : ",").append(lines[i].contains("bad")
                            ? "{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\"}}}"
                            : "{\"index\":{\"status\":201}}");
                }
                byte[] answer = ("{\"errors\":true,\"items\":[" + items + "]}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        cluster.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + cluster.getAddress().getPort();
    }

    private static BulkDocument doc(String source) {
        return new BulkDocument("idx", null, null, source.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void splitsALargeDeliveryIntoRequestsUnderTheLimitInOrder() throws Exception {
        List<BulkDocument> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(doc("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}\n"));
        }
        docs.set(7, doc("{\"n\":7,\"bad\":true}\n"));

        List<DocumentError> errors = new SearchBulkClient(new ObjectMapper()).bulk(url(), docs, 400);

        assertThat(requests).hasSizeGreaterThan(1).allSatisfy(r -> assertThat(r.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(400));
        assertThat(String.join("", requests).lines().filter(l -> l.startsWith("{\"n\"")).map(l -> l.substring(5, 6)).toList())
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(errors).hasSize(10);
        for (int i = 0; i < 10; i++) {
            if (i == 7) {
                assertThat(errors.get(i).code()).isEqualTo("400");
            } else {
                assertThat(errors.get(i)).as("document %d", i).isNull();
            }
        }
    }

    @Test
    void sendsAOneLineRecordAsReceivedAndCompactsAPrettyPrintedOne() throws Exception {
        new SearchBulkClient(new ObjectMapper()).bulk(url(),
                List.of(doc("{\"price\":1.50, \"n\":1}\n"), doc("{\n  \"n\": 2\n}\n")), 10_000_000);

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).lines().toList()).containsExactly("{\"index\":{\"_index\":\"idx\"}}", "{\"price\":1.50, \"n\":1}",
                "{\"index\":{\"_index\":\"idx\"}}", "{\"n\":2}");
    }
}
