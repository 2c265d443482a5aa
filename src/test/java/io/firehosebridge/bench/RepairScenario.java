package io.firehosebridge.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * Benchmark scenario "repair": 1,000,000 offsets of one partition in a search index of their own, 100,000 of them
 * (every tenth) with a second copy, then {@code POST /reconciliations/{id}/repair} on the packaged bridge, timed
 * from the 202 to the job's end, at the production default pace ({@code bridge.reconcile.repair.max-deletes-per-second}
 * 2,000, so 50 s is the floor the pace sets for 100,000 deletes) unless {@code -Dbench.repair.rate=} says otherwise. A
 * reconciliation afterwards must find every offset exactly once. The documents are written straight to the index (the
 * repair reads and deletes only there; Firehose and the backup play no part), the records to Kafka (the range must exist).
 * {@code -Dbench.repair.offsets=} and {@code -Dbench.repair.duplicated=} change the sizes. The index and topic are deleted
 * afterwards.
 */
final class RepairScenario {

    private static final Logger LOG = Logger.getLogger(RepairScenario.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEARCH = "http://127.0.0.1:9200";

    private final long offsets = Long.getLong("bench.repair.offsets", 1_000_000);
    private final long duplicated = Long.getLong("bench.repair.duplicated", 100_000);
    private final int rate = Integer.getInteger("bench.repair.rate", 2_000);
    private final String topic;
    private final String index;
    private final int bridgeHttp;
    private final List<String> bridgeJvm;

    /** What the benchmark adds to its table and to results.json. */
    record Result(BridgeBenchmark.Row row, ObjectNode json) {
    }

    RepairScenario(String run, int bridgeHttp, List<String> bridgeJvm) {
        this.topic = "bench-repair-" + run;
        this.index = "clicks-bench-repair-" + run;
        this.bridgeHttp = bridgeHttp;
        this.bridgeJvm = bridgeJvm;
    }

    private String target() {
        return String.format(Locale.ROOT, "%,d duplicated among %,d repaired, then each offset exactly once", duplicated, offsets);
    }

    Result run() throws Exception {
        ObjectNode node = JSON.createObjectNode().put("offsets", offsets).put("duplicatedOffsets", duplicated).put("maxDeletesPerSecond", rate);
        try {
            return measure(node);
        } catch (Exception | AssertionError e) {
            LOG.error("repair scenario failed", e);
            node.put("error", String.valueOf(e.getMessage()));
            return new Result(new BridgeBenchmark.Row("Repair of duplicates", "failed: " + e, target(), "NOT met"), node);
        } finally {
            cleanUp();
        }
    }

    private Result measure(ObjectNode node) throws Exception {
        Topics.create(List.of(new NewTopic(topic, 1, (short) 1)));
        try (ClickProducer producer = new ClickProducer()) {
            long written = producer.backlog(topic, offsets, 0);
            if (written != offsets) {
                throw new IllegalStateException("produced " + written + " of " + offsets);
            }
        }
        long t0 = System.nanoTime();
        send("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,\"refresh_interval\":\"-1\"}}");
        long every = offsets / duplicated;
        StringBuilder bulk = new StringBuilder();
        for (long o = 0; o < offsets; o++) {
            document(bulk, o);
            if (o % every == 0) {
                document(bulk, o);
            }
            if (bulk.length() > 4_000_000 || o == offsets - 1) {
                JsonNode answer = JSON.readTree(send("POST", "/_bulk?filter_path=errors", bulk.toString()));
                if (answer.path("errors").asBoolean()) {
                    throw new IllegalStateException("bulk indexing failed");
                }
                bulk.setLength(0);
            }
        }
        send("PUT", "/" + index + "/_settings", "{\"index\":{\"refresh_interval\":\"1s\"}}");
        send("POST", "/" + index + "/_refresh", "");
        node.put("indexSeconds", (System.nanoTime() - t0) / 1e9);
        Map<String, String> props = Map.of(
                "quarkus.profile", "local",
                "bridge.delivery.enabled", "false",
                "bridge.reconcile.index-pattern", index,
                "bridge.reconcile.jobs.topic", topic + "-jobs",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.repair.max-deletes-per-second", Integer.toString(rate));
        try (ServiceProcess bridge = new ServiceProcess("bench-repair-bridge", bridgeHttp, props, bridgeJvm).start()) {
            JsonNode before = finished(post("/reconciliations", "{\"topic\":\"" + topic + "\",\"from\":0,\"to\":" + offsets + "}"));
            JsonNode search = before.path("partitions").path(0).path("search");
            node.put("duplicatedBefore", search.path("duplicated").path("offsets").asLong());
            long r0 = System.nanoTime();
            JsonNode repair = finished(post("/reconciliations/" + before.path("id").asText() + "/repair", null));
            double seconds = (System.nanoTime() - r0) / 1e9;
            JsonNode report = repair.path("repair");
            JsonNode after = finished(post("/reconciliations", "{\"topic\":\"" + topic + "\",\"from\":0,\"to\":" + offsets + "}"))
                    .path("partitions").path(0).path("search");
            node.put("repairSeconds", seconds).put("copiesDeleted", report.path("copiesDeleted").asLong())
                    .put("duplicatedAfter", after.path("duplicated").path("offsets").asLong()).put("presentAfter", after.path("present").asLong());
            boolean ok = search.path("duplicated").path("offsets").asLong() == duplicated && report.path("copiesDeleted").asLong() == duplicated
                    && after.path("duplicated").path("offsets").asLong() == 0 && after.path("present").asLong() == offsets;
            String measured = String.format(Locale.ROOT, "%.1f s for %,d copies (%,.0f deletes/s, pace %,d/s); afterwards %,d present, %,d duplicated",
                    seconds, report.path("copiesDeleted").asLong(), report.path("copiesDeleted").asLong() / seconds, rate,
                    after.path("present").asLong(), after.path("duplicated").path("offsets").asLong());
            LOG.infof("repair scenario: %s", measured);
            return new Result(new BridgeBenchmark.Row("Repair of duplicates", measured, target(), ok ? "met" : "NOT met"), node);
        }
    }

    private void document(StringBuilder bulk, long offset) {
        bulk.append("{\"index\":{\"_index\":\"").append(index).append("\"}}\n{\"page\":\"/p\",\"kafka\":{\"topic\":\"").append(topic)
                .append("\",\"partition\":0,\"offset\":").append(offset).append(",\"timestamp\":1}}\n");
    }

    private String post(String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridgeHttp + path));
        b = body == null ? b.POST(HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.headers().firstValue("Location").orElseThrow();
    }

    private JsonNode finished(String location) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridgeHttp
                    + URI.create(location).getPath())).build(), HttpResponse.BodyHandlers.ofString()).body());
            String state = job.path("state").asText();
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                if (!state.equals("SUCCEEDED")) {
                    throw new IllegalStateException("job " + location + " ended " + state + ": " + job);
                }
                return job;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("job " + location + " did not end within 15 minutes");
    }

    private static String send(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(SEARCH + path))
                .header("Content-Type", path.startsWith("/_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private void cleanUp() {
        try {
            send("DELETE", "/" + index, "");
        } catch (Exception e) {
            LOG.warnf("could not delete index %s: %s", index, e.getMessage());
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            admin.deleteTopics(List.of(topic, topic + "-jobs", topic + "-ledger").stream().filter(existing::contains).toList()).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("could not delete topics of %s: %s", topic, e.getMessage());
        }
    }
}
