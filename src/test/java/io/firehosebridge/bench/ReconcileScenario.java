package io.firehosebridge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.LocalStreams;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Scenario 7 of the benchmark: 1,000,000 offsets of one partition, delivered by the packaged bridge through
 * the local Firehose endpoint into a search index and an S3 backup of their own, then reconciled twice over
 * HTTP ({@code GET /reconciliations/{topic}/0?from&to}): the first check reads every backup object, the
 * repeated one finds their summaries cached. Times each call and samples the bridge process's RSS
 * ({@code /proc}) and heap used ({@code /q/metrics}) every 200 ms meanwhile. A report that is not COMPLETE
 * with every offset present on both sides fails the row.
 *
 * <p>The scenario's delivery stream, index, index template, bucket and topics are deleted afterwards;
 * {@code -Dbench.reconcile.keep=true} leaves them (and prints the bridge settings) for measuring by hand.
 * {@code -Dbench.reconcile.offsets=} changes the size, {@code -Dbench.reconcile.mib-per-second=} the stream's byte quota.
 */
final class ReconcileScenario {

    private static final Logger LOG = Logger.getLogger(ReconcileScenario.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENT_BYTES = 1024;
    private static final long FIRST_TARGET_MILLIS = 20_000;
    private static final long REPEAT_TARGET_MILLIS = 3_000;
    private static final String TARGET = "first <= 20 s, repeat <= 3 s, COMPLETE";
    /** Byte quota of the scenario's stream: about what OpenSearch indexes here while S3Proxy takes the backup. */
    private static final int MIB_PER_SECOND = Integer.getInteger("bench.reconcile.mib-per-second", 8);

    private final long offsets = Long.getLong("bench.reconcile.offsets", 1_000_000);
    private final String name;
    private final int firehosePort;
    private final int firehoseHttp;
    private final int bridgeHttp;
    private final List<String> bridgeJvm;

    /** What the benchmark adds to its table and to results.json. */
    record Result(BridgeBenchmark.Row row, ObjectNode json) {
    }

    /** One timed reconciliation call with the bridge's memory meanwhile. */
    record Call(long millis, long peakRssBytes, long peakHeapUsedBytes, int samples, JsonNode report) {
    }

    /**
     * @param run the benchmark run's id (names the stream, index, bucket and topics)
     * @param firehosePort the local Firehose endpoint's API port
     * @param firehoseHttp the endpoint process's HTTP port (its metrics)
     * @param bridgeHttp the bridge process's HTTP port
     * @param bridgeJvm the bridge's JVM options, as in the other scenarios
     */
    ReconcileScenario(String run, int firehosePort, int firehoseHttp, int bridgeHttp, List<String> bridgeJvm) {
        this.name = "bench-reconcile-" + run;
        this.firehosePort = firehosePort;
        this.firehoseHttp = firehoseHttp;
        this.bridgeHttp = bridgeHttp;
        this.bridgeJvm = bridgeJvm;
    }

    Result run() throws Exception {
        boolean keep = Boolean.getBoolean("bench.reconcile.keep");
        try {
            createDeliveryStream();
            createTopic(name, 1);
            try (ServiceProcess bridge = bridge().start()) {
                // The bridge installs the coordinate template in the background; the index must be created after it.
                awaitTemplate(Duration.ofSeconds(60));
                long produceStart = System.nanoTime();
                try (ClickProducer producer = new ClickProducer()) {
                    producer.backlog(name, offsets, EVENT_BYTES);
                }
                double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
                LOG.infof("reconcile: produced %,d events to %s/0 in %.1f s", offsets, name, produceSeconds);
                awaitDelivered(Duration.ofMinutes(8));
                double deliverSeconds = (System.nanoTime() - produceStart) / 1e9;
                LOG.infof("reconcile: %,d documents searchable and backed up %.1f s after production started", offsets, deliverSeconds);
                Call first = timedCall(bridge.pid());
                Call repeat = timedCall(bridge.pid());
                return result(produceSeconds, deliverSeconds, first, repeat);
            }
        } catch (Exception | AssertionError e) {
            // A failed scenario is a failed row; the other scenarios' rows are still reported.
            LOG.errorf(e, "reconcile: scenario failed");
            ObjectNode node = JSON.createObjectNode().put("offsets", offsets).put("error", String.valueOf(e.getMessage()));
            return new Result(new BridgeBenchmark.Row(title(), "failed: " + e, TARGET, "NOT met"), node);
        } finally {
            if (keep) {
                LOG.infof("reconcile: kept stream, index, bucket and topic %s", name);
            } else {
                cleanUp();
            }
        }
    }

    private Result result(double produceSeconds, double deliverSeconds, Call first, Call repeat) {
        String firstProblem = problem(first.report());
        String repeatProblem = problem(repeat.report());
        boolean ok = firstProblem == null && repeatProblem == null && first.millis() <= FIRST_TARGET_MILLIS
                && repeat.millis() <= REPEAT_TARGET_MILLIS;
        ObjectNode node = JSON.createObjectNode();
        node.put("offsets", offsets).put("produceSeconds", produceSeconds).put("deliveredAfterSeconds", deliverSeconds);
        node.set("first", callJson(first, firstProblem));
        node.set("repeat", callJson(repeat, repeatProblem));
        String measured = String.format(Locale.ROOT, "first %.1f s (peak RSS %.0f MiB, heap %.0f MiB), repeat %.1f s (peak RSS %.0f MiB, heap %.0f MiB)",
                first.millis() / 1000.0, mib(first.peakRssBytes()), mib(first.peakHeapUsedBytes()), repeat.millis() / 1000.0,
                mib(repeat.peakRssBytes()), mib(repeat.peakHeapUsedBytes()));
        if (firstProblem != null || repeatProblem != null) {
            measured += "; report wrong: " + (firstProblem != null ? firstProblem : repeatProblem);
        } else {
            measured += "; both COMPLETE, " + String.format(Locale.ROOT, "%,d", offsets) + " present on both sides";
        }
        return new Result(new BridgeBenchmark.Row(title(), measured, TARGET, ok ? "met" : "NOT met"), node);
    }

    private String title() {
        return "7. Reconciliation of " + String.format(Locale.ROOT, "%,d", offsets) + " offsets of one partition (GET over HTTP)";
    }

    /** Why the report is not the complete one expected, or null when it is. */
    private String problem(JsonNode answer) {
        JsonNode r = answer.path("report");
        if (!"COMPLETE".equals(r.path("status").asText())) {
            return "status " + r.path("status").asText("none");
        }
        if (r.path("expected").asLong() != offsets) {
            return "expected " + r.path("expected").asLong();
        }
        for (String side : new String[] { "search", "backup" }) {
            JsonNode s = r.path(side);
            if (s.path("present").asLong(-1) != offsets || s.path("missingCount").asLong(-1) != 0) {
                return side + " present " + s.path("present").asLong(-1) + ", missing " + s.path("missingCount").asLong(-1);
            }
        }
        return null;
    }

    private static ObjectNode callJson(Call c, String problem) {
        JsonNode r = c.report().path("report");
        ObjectNode n = JSON.createObjectNode();
        n.put("millis", c.millis()).put("reportedTookMillis", r.path("tookMillis").asLong()).put("peakRssMiB", mib(c.peakRssBytes()))
                .put("peakHeapUsedMiB", mib(c.peakHeapUsedBytes())).put("memorySamples", c.samples())
                .put("status", r.path("status").asText()).put("complete", problem == null);
        for (String side : new String[] { "search", "backup" }) {
            JsonNode s = r.path(side);
            n.putObject(side).put("present", s.path("present").asLong()).put("missing", s.path("missingCount").asLong())
                    .put("duplicatedOffsets", s.path("duplicated").path("offsets").asLong()).set("scanned", s.path("scanned"));
        }
        return n;
    }

    // ---- the measurement ----

    private Call timedCall(long pid) throws Exception {
        Sampler sampler = new Sampler(pid);
        Thread sampling = new Thread(sampler, "reconcile-memory-sampler");
        sampling.setDaemon(true);
        sampling.start();
        HttpResponse<String> response;
        long t0 = System.nanoTime();
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridgeHttp + "/reconciliations/"
                    + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/0?from=0&to=" + offsets)).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            sampler.stop();
            sampling.join();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /reconciliations answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode answer = JSON.readTree(response.body());
        JsonNode r = answer.path("report");
        LOG.infof("reconcile: %s in %d ms (report %d ms); search %s present, backup %s present, objects %s read / %s cached; "
                + "peak RSS %.0f MiB, peak heap used %.0f MiB (%d samples)", r.path("status").asText(), millis, r.path("tookMillis").asLong(),
                r.path("search").path("present").asText(), r.path("backup").path("present").asText(),
                r.path("backup").path("scanned").path("objectsRead").asText(), r.path("backup").path("scanned").path("objectsFromCache").asText(),
                mib(sampler.peakRss), mib(sampler.peakHeap), sampler.samples);
        return new Call(millis, sampler.peakRss, sampler.peakHeap, sampler.samples, answer);
    }

    /** Samples the bridge's RSS and heap used every 200 ms until stopped (and once more at the end). */
    private final class Sampler implements Runnable {
        private final long pid;
        private volatile boolean running = true;
        long peakRss;
        long peakHeap;
        int samples;

        Sampler(long pid) {
            this.pid = pid;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            boolean last = false;
            while (!last) {
                last = !running;
                long started = System.nanoTime();
                try {
                    peakRss = Math.max(peakRss, rssBytes(pid));
                    peakHeap = Math.max(peakHeap, heapUsedBytes());
                    samples++;
                } catch (IOException e) {
                    LOG.debugf("memory sample failed: %s", e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long wait = 200 - (System.nanoTime() - started) / 1_000_000;
                if (!last && wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    /** Sum of the heap pools' used bytes ({@code jvm_memory_used_bytes{area="heap"}}). */
    private long heapUsedBytes() throws IOException, InterruptedException {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridgeHttp + "/q/metrics")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double used = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) used;
    }

    // ---- setting up and waiting ----

    private ServiceProcess bridge() {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        props.put("quarkus.profile", "local");
        props.put("bridge.delivery.endpoint", "http://127.0.0.1:" + firehosePort);
        props.put("bridge.delivery.delivery-stream", name);
        props.put("mp.messaging.incoming.clicks.topic", name);
        props.put("mp.messaging.incoming.clicks.group.id", name);
        props.put("mp.messaging.outgoing.dead-letters.topic", name + "-dlq");
        props.put("bridge.reconcile.index-pattern", name);
        props.put("bridge.reconcile.backup-bucket", name);
        // The scenario's own template (a shared name would replace the clicks* one), removed afterwards.
        props.put("bridge.reconcile.index-template-name", name);
        props.put("bridge.reconcile.ledger.topic", name + "-ledger");
        props.put("bridge.reconcile.jobs.topic", name + "-jobs");
        // The verifier stays idle: it would compete for the cores and warm the object cache before the first check.
        props.put("bridge.reconcile.ledger.verify-interval", "1h");
        if (Boolean.getBoolean("bench.reconcile.keep")) {
            StringBuilder line = new StringBuilder();
            props.forEach((k, v) -> line.append(" -D").append(k).append('=').append(v));
            LOG.infof("reconcile: bridge settings:%s", line);
        }
        return new ServiceProcess("bench-reconcile-bridge", bridgeHttp, props, bridgeJvm).withEnvironment(BridgeBenchmark.BRIDGE_ENV);
    }

    private FirehoseClient firehose() {
        return LocalStreams.client(firehosePort);
    }

    /** A stream like the local {@code clicks} one (1 s / 5 MB buffer, all documents backed up), with its own index and bucket. */
    private void createDeliveryStream() throws Exception {
        LocalStreams.createAndAwaitActive(firehosePort, name, name, name, 300); // AWS's default retry duration
        // Delivery on; records and calls unlimited, bytes at what the local search cluster indexes. With the bench's
        // unlimited byte quota the endpoint accepted far faster than OpenSearch indexed, its buffer grew and one bulk
        // request of the whole backlog ran the endpoint out of heap.
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + firehosePort + "/_local/streams/" + name + "/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"deliveryEnabled\":true,\"recordsPerSecond\":100000000,\"requestsPerSecond\":1000000,\"mibPerSecond\":" + MIB_PER_SECOND + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("faults of " + name + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        Topics.create(List.of(new NewTopic(topic, partitions, (short) 1)));
    }

    private void awaitTemplate(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9200/_index_template/" + name)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("index template " + name + " not installed by the bridge within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /** Until the index holds every offset of the topic (refreshed) and the endpoint has written every record to the backup. */
    private void awaitDelivered(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long searchable = 0;
        double backedUp = 0;
        while (System.nanoTime() < deadline) {
            searchable = searchCount();
            backedUp = endpointMetric("localfirehose_delivery_s3_records_total");
            if (searchable >= offsets && backedUp >= offsets) {
                return;
            }
            LOG.infof("reconcile: %,d searchable, %,.0f backed up of %,d", searchable, backedUp, offsets);
            Thread.sleep(5_000);
        }
        throw new AssertionError("after " + timeout + " only " + searchable + " searchable and " + backedUp + " backed up of " + offsets);
    }

    private long searchCount() throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9200/" + name + "/_refresh?ignore_unavailable=true"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9200/" + name + "/_count?ignore_unavailable=true"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"term\":{\"kafka.topic\":\"" + name + "\"}}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()).path("count").asLong() : 0;
    }

    /** A counter of the endpoint process for this scenario's stream. */
    private double endpointMetric(String metric) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + firehoseHttp + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String tag = "stream=\"" + name + "\"";
        for (String line : body.split("\n")) {
            if (line.startsWith(metric + "{") && line.contains(tag)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    // ---- cleaning up ----

    private void cleanUp() {
        try (FirehoseClient firehose = firehose()) {
            firehose.deleteDeliveryStream(b -> b.deliveryStreamName(name));
        } catch (RuntimeException e) {
            LOG.warnf("reconcile: cannot delete delivery stream %s: %s", name, e.getMessage());
        }
        for (String path : new String[] { "/" + name + "?ignore_unavailable=true", "/_index_template/" + name }) {
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9200" + path)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                LOG.warnf("reconcile: cannot delete %s: %s", path, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try (S3Client s3 = DeliveredOffsets.s3()) {
            List<S3Object> objects = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(name)).contents().forEach(objects::add);
            for (S3Object o : objects) {
                s3.deleteObject(b -> b.bucket(name).key(o.key()));
            }
            s3.deleteBucket(b -> b.bucket(name));
        } catch (RuntimeException e) {
            LOG.warnf("reconcile: cannot delete bucket %s: %s", name, e.getMessage());
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            admin.deleteTopics(List.of(name, name + "-dlq", name + "-ledger")).topicNameValues()
                    .forEach((t, f) -> {
                        try {
                            f.get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            LOG.debugf("reconcile: topic %s not deleted: %s", t, e.getMessage());
                        }
                    });
        }
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }
}
