package io.firehosebridge.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ConsumerGroups;
import io.firehosebridge.testing.DeployedJvm;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.TestCertificate;
import io.firehosebridge.testing.Topics;

/**
 * The benchmark ({@code ./mvnw -Pbench verify}): the packaged bridge and the local Firehose endpoint as
 * separate processes on the real local stack, one scenario after another. Prints one table and writes
 * {@code target/bench/results.json} and {@code docs/benchmarks.md}. Machine-dependent figures are
 * reported as ratios to baselines measured in the same run.
 *
 * <p>Sizes can be lowered for a quick look: {@code -Dbench.events=100000 -Dbench.memory.events=300000}; a subset runs
 * with {@code -Dbench.only=quota} (scenarios: {@code throughput}, {@code standin}, {@code memory}, {@code quota}, {@code freshness},
 * {@code reconcile}; see {@link ReconcileScenario}; {@code throughput} includes {@code standin}). Only a full run rewrites
 * docs/benchmarks.md.
 */
class BridgeBenchmark {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FIREHOSE_PORT = 4575;
    private static final int FIREHOSE_HTTP = 8094;
    private static final int BRIDGE_HTTP = 8095;
    private static final int EVENT_BYTES = 1024;
    /** The minimal stand-in ({@link MinimalFirehose}): a port no other test or bench uses. */
    private static final int STANDIN_PORT = 4579;

    private final long events = Long.getLong("bench.events", 1_000_000);
    private final long memoryEvents = Long.getLong("bench.memory.events", 2_000_000);
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final List<Row> rows = new ArrayList<>();
    private final ObjectNode results = JSON.createObjectNode();

    /** One line of the table. */
    record Row(String scenario, String measured, String target, String verdict) {
    }

    @Test
    void runsEveryScenario() throws Exception {
        LocalStackResource.ensureStarted();
        results.put("date", Instant.now().toString());
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version());
        results.put("events", events);
        try (ServiceProcess firehose = ServiceProcess.localFirehose("bench-firehose", FIREHOSE_HTTP, Map.of("local-firehose.port", Integer.toString(FIREHOSE_PORT), "local-firehose.defaults.records-per-second", "100000000",
                "local-firehose.defaults.requests-per-second", "1000000", "local-firehose.defaults.mib-per-second", "100000")).start()) {
            if (selected("throughput")) {
                String backlog = topic("backlog");
                produce(backlog, events);
                throughputAndBatching(backlog);
                standIn(backlog, true);
            } else if (selected("standin")) {
                String backlog = topic("standin");
                produce(backlog, events);
                rawRate = rawConsumerRate(backlog, events);
                standIn(backlog, selected("latency"));
            }
            if (selected("memory") || selected("quota")) {
                String big = topic("memory");
                produce(big, memoryEvents);
                if (selected("memory")) {
                    memoryUnderBacklog(big);
                }
                if (selected("quota")) {
                    quotaUse(big);
                }
            }
            if (selected("freshness")) {
                freshness();
            }
            if (selected("routes")) {
                threeStreams();
            }
            if (selected("reconcile")) {
                ReconcileScenario.Result reconciled = new ReconcileScenario(run, FIREHOSE_PORT, FIREHOSE_HTTP, BRIDGE_HTTP, BRIDGE_JVM).run();
                results.set("reconcile", reconciled.json());
                rows.add(reconciled.row());
            }
            if (selected("repair")) {
                RepairScenario.Result repaired = new RepairScenario(run, BRIDGE_HTTP, BRIDGE_JVM).run();
                results.set("repair", repaired.json());
                rows.add(repaired.row());
            }
        } finally {
            deleteTopicsOfThisRun();
        }
        report();
    }

    /**
     * Deletes every topic named with this run's id (backlogs, ledgers, job and dead-letter topics): a 1,000,000-event
     * backlog is about 1 GB, and the runs of one afternoon once filled the disk and stopped the broker.
     */
    private void deleteTopicsOfThisRun() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            List<String> ours = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(t -> t.contains(run)).toList();
            admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
            System.out.printf(Locale.ROOT, "Deleted this run's %d topics%n", ours.size());
        } catch (Exception e) {
            System.out.println("Could not delete this run's topics (" + e + "); deploy/local/stack reset kafka frees their space");
        }
    }

    /** {@code -Dbench.only=quota,freshness} runs a subset (throughput includes latency and batching); the default runs all. */
    private static boolean selected(String scenario) {
        String only = System.getProperty("bench.only", "");
        return only.isBlank() || java.util.Arrays.asList(only.split(",")).contains(scenario);
    }

    // ---- scenarios ----

    private void throughputAndBatching(String topic) throws Exception {
        double raw = rawConsumerRate(topic, events);
        this.rawRate = raw;
        faults("{\"deliveryEnabled\":false,\"addedLatencyMillis\":0}");
        BridgeRun bridge = deliver(topic, "throughput", events);
        double ratio = bridge.rate / raw;
        results.putObject("throughput").put("rawConsumerRecordsPerSecond", raw).put("bridgeRecordsPerSecond", bridge.rate)
                .put("ratio", ratio).put("bridgeCpuSeconds", bridge.cpuSeconds)
                .put("bridgeCpuMicrosPerRecord", bridge.cpuSeconds / bridge.delivered * 1e6)
                .put("secondHalfRecordsPerSecond", bridge.secondHalfRate).put("secondHalfRatio", bridge.secondHalfRate / raw)
                .put("secondHalfCpuMicrosPerRecord", bridge.secondHalfCpuMicrosPerRecord);
        rows.add(new Row("1. Throughput (bridge / raw consumer)",
                String.format(Locale.ROOT, "%,.0f / %,.0f rec/s = %.2f (second half of the drain: %,.0f rec/s = %.2f, %.0f µs CPU per record)",
                        bridge.rate, raw, ratio, bridge.secondHalfRate, bridge.secondHalfRate / raw, bridge.secondHalfCpuMicrosPerRecord),
                ">= 0.60", verdict(ratio >= 0.6)));
        double callsPerMillion = bridge.calls / bridge.delivered * 1_000_000;
        double fillRecords = bridge.batchRecords / bridge.calls;
        double fillBytes = bridge.batchBytes / bridge.calls;
        results.putObject("batching").put("callsPerMillion", callsPerMillion).put("recordsPerCall", fillRecords)
                .put("bytesPerCall", fillBytes);
        rows.add(new Row("4. Batch efficiency (calls per 1M records)",
                String.format(Locale.ROOT, "%,.0f calls; %.0f records, %,.0f bytes per call", callsPerMillion, fillRecords, fillBytes),
                "<= 2,050", verdict(callsPerMillion <= 2_050)));
    }

    private double rawRate;

    /** Rounds of the stand-in's drains at 0 ms, +20 ms and +60 ms, alternated; {@code -Dbench.rounds=} changes it. */
    private static final int ROUNDS = rounds();

    private static int rounds() {
        int rounds = Integer.getInteger("bench.rounds", 3);
        if (rounds < 1) {
            throw new IllegalArgumentException("bench.rounds must be at least 1, was " + rounds);
        }
        return rounds;
    }
    private static final int[] LATENCIES = { 20, 60 };

    /**
     * Scenarios 1b, 1c and 2: the same backlog drained into {@link MinimalFirehose}, which answers at once and decodes
     * nothing, so what is measured is the bridge's own cost: CPU and bytes allocated per record over the whole drain (from
     * the first delivered record) and over its second half, and the rate. Then (scenario 2, with {@code latency}) the same
     * with every put answered 20 ms and then 60 ms later (calls from a pod to Firehose take tens of milliseconds), each
     * rate over the rate at 0 ms of its own round. The stand-in, not the local endpoint, so that what is measured is how
     * the bridge's calls in flight follow latency: with the local endpoint on the same two cores, its CPU and the bridge's
     * trade places and move the ratio by more than the latency does. Adaptive concurrency should raise the calls in flight
     * until the rate holds: at least 0.95 of the rate at 0 ms, within the call ceiling and the request quota.
     *
     * <p>One drain of a fresh JVM scatters: with the same code, single drains of these rows ranged 11 to 18 µs per record
     * and 0.67 to 0.94 at +60 ms. So the rows are {@link #ROUNDS} alternated rounds (0 ms, +20 ms, +60 ms, then again), each
     * row the median of its rounds with their range, and the ratios taken within a round. Once more over HTTPS, one round
     * (every real Firehose call is HTTPS); {@code -Dbench.standin.tls=false} skips it.
     */
    private void standIn(String topic, boolean latency) throws Exception {
        List<BridgeRun> prompt = new ArrayList<>();
        Map<Integer, List<BridgeRun>> slow = new java.util.TreeMap<>();
        Map<Integer, List<Double>> ratios = new java.util.TreeMap<>();
        Map<Integer, List<Double>> secondHalfRatios = new java.util.TreeMap<>();
        Map<Integer, List<Double>> held = new java.util.TreeMap<>();
        for (int round = 1; round <= ROUNDS; round++) {
            BridgeRun atZero = standInRun(topic, false, 0, round).run();
            prompt.add(atZero);
            for (int millis : latency ? LATENCIES : new int[0]) {
                HeldRun r = standInRun(topic, false, millis, round);
                slow.computeIfAbsent(millis, m -> new ArrayList<>()).add(r.run());
                ratios.computeIfAbsent(millis, m -> new ArrayList<>()).add(r.run().rate / atZero.rate);
                secondHalfRatios.computeIfAbsent(millis, m -> new ArrayList<>()).add(r.run().secondHalfRate / atZero.secondHalfRate);
                held.computeIfAbsent(millis, m -> new ArrayList<>()).add(r.meanCallsHeld());
            }
        }
        ownCostRow(prompt, false);
        slow.forEach((millis, runs) -> {
            ObjectNode node = results.withObjectProperty("latency");
            double ratio = median(ratios.get(millis));
            double limit = median(runs.stream().map(BridgeRun::callLimitAtEnd).toList());
            node.putObject("plus" + millis + "ms").put("bridgeRecordsPerSecond", median(runs.stream().map(BridgeRun::rate).toList()))
                    .put("secondHalfRecordsPerSecond", median(runs.stream().map(BridgeRun::secondHalfRate).toList()))
                    .put("ratioToNoLatency", ratio).put("secondHalfRatioToNoLatency", median(secondHalfRatios.get(millis)))
                    .put("callsInFlightLimitAtEnd", limit).put("meanCallsHeldByStandIn", median(held.get(millis)))
                    .putPOJO("ratiosByRound", ratios.get(millis));
            rows.add(new Row("2" + (millis == 20 ? "a" : "b") + ". Latency tolerance (+" + millis + " ms per call, stand-in)",
                    String.format(Locale.ROOT, "%.2f of the stand-in's rate at 0 ms in its round (median of %d; %s); second half %.2f; "
                            + "%,.0f rec/s; calls held by the stand-in %.1f on average, limit at the end %.0f",
                            ratio, runs.size(), range(ratios.get(millis), "%.2f"), median(secondHalfRatios.get(millis)),
                            median(runs.stream().map(BridgeRun::rate).toList()), median(held.get(millis)), limit),
                    ">= 0.95", verdict(ratio >= 0.95)));
        });
        if (Boolean.parseBoolean(System.getProperty("bench.standin.tls", "true"))) {
            ownCostRow(List.of(standInRun(topic, true, 0, 1).run()), true);
        }
    }

    /** One drain into the stand-in, and the calls it held open on average over the drain. */
    private record HeldRun(BridgeRun run, double meanCallsHeld) {
    }

    private HeldRun standInRun(String topic, boolean tls, int millis, int round) throws Exception {
        TestCertificate cert = tls ? TestCertificate.forLoopback(Path.of("target", "bench", "tls")) : null;
        String scheme = tls ? "https" : "http";
        String group = (millis == 0 ? "bench-standin-" + scheme : "bench-latency" + millis) + "-" + round + "-" + run;
        try (MinimalFirehose standIn = new MinimalFirehose(STANDIN_PORT, cert, millis)) {
            BridgeRun r = deliver(bridge(topic, group, scheme + "://127.0.0.1:" + STANDIN_PORT, tls ? cert.trustingJvmOptions() : List.of()),
                    events, standIn::records);
            assertThat(standIn.records()).as("records the stand-in accepted").isGreaterThanOrEqualTo(events);
            System.out.printf(Locale.ROOT, "Round %d, %s at +%d ms: %,.0f rec/s, CPU µs per record by threads: whole drain %s; second half %s%n",
                    round, scheme, millis, r.rate, ThreadCpu.describe(r.cpuSplit()), ThreadCpu.describe(r.secondHalfCpuSplit()));
            // Calls the stand-in held (body received, answer not yet sent), over the drain's length; calls open only then.
            return new HeldRun(r, standIn.openCallNanos() / (r.delivered / r.rate * 1e9));
        }
    }

    /** Row 1b (HTTP, the median of its rounds) or 1c (HTTPS). */
    private void ownCostRow(List<BridgeRun> runs, boolean tls) {
        double rate = median(runs.stream().map(BridgeRun::rate).toList());
        double secondHalfRate = median(runs.stream().map(BridgeRun::secondHalfRate).toList());
        List<Double> cpu = runs.stream().map(r -> r.cpuSeconds / r.delivered * 1e6).toList();
        double cpuWhole = median(cpu);
        List<Double> cpuSecondHalf = runs.stream().map(BridgeRun::secondHalfCpuMicrosPerRecord).toList();
        double cpuHalf = median(cpuSecondHalf);
        double allocated = median(runs.stream().map(BridgeRun::allocatedBytesPerRecord).toList());
        double allocatedHalf = median(runs.stream().map(BridgeRun::secondHalfAllocatedBytesPerRecord).toList());
        double rss = median(runs.stream().map(r -> r.endRssBytes() / (double) (1 << 20)).toList());
        double heap = median(runs.stream().map(r -> r.endLiveHeapBytes() / (1 << 20)).toList());
        ObjectNode node = results.putObject("standIn" + (tls ? "Https" : "Http")).put("rounds", runs.size()).put("bridgeRecordsPerSecond", rate)
                .put("secondHalfRecordsPerSecond", secondHalfRate).put("bridgeCpuMicrosPerRecord", cpuWhole)
                .put("secondHalfCpuMicrosPerRecord", cpuHalf).put("allocatedBytesPerRecord", allocated)
                .put("secondHalfAllocatedBytesPerRecord", allocatedHalf).put("rssAtEndMiB", rss).put("heapAfterGcAtEndMiB", heap)
                .put("calls", median(runs.stream().map(BridgeRun::calls).toList()))
                .putPOJO("cpuMicrosPerRecordByRound", cpu).putPOJO("secondHalfCpuMicrosPerRecordByRound", cpuSecondHalf);
        ObjectNode split = node.putObject("cpuMicrosPerRecordByThreads");
        medianSplit(runs.stream().map(BridgeRun::cpuSplit).toList()).forEach(split.putObject("wholeDrain")::put);
        medianSplit(runs.stream().map(BridgeRun::secondHalfCpuSplit).toList()).forEach(split.putObject("secondHalf")::put);
        double ofRaw = rawRate > 0 ? rate / rawRate : Double.NaN;
        node.put("ratioToRawConsumer", ofRaw);
        String rounds = runs.size() > 1 ? String.format(Locale.ROOT, "median of %d rounds; CPU %s, second half %s; ", runs.size(),
                range(cpu, "%.1f"), range(cpuSecondHalf, "%.1f")) : "";
        String measured = String.format(Locale.ROOT, "%s%,.0f rec/s (second half %,.0f)%s; CPU per record %.1f µs (second half %.1f); "
                + "allocated per record %,.0f B (second half %,.0f); at the end RSS %.0f MiB, heap after GC %.0f MiB",
                rounds, rate, secondHalfRate, rawRate > 0 ? String.format(Locale.ROOT, " = %.2f of the raw consumer", ofRaw) : "",
                cpuWhole, cpuHalf, allocated, allocatedHalf, rss, heap);
        if (tls) {
            rows.add(new Row("1c. Own cost, prompt stand-in over HTTPS", measured,
                    String.format(Locale.ROOT, "CPU <= 14 µs (second half <= 10 µs), >= %,.0f rec/s", 2 * STANDIN_RATE_BEFORE),
                    verdict(cpuWhole <= 14 && cpuHalf <= 10 && rate >= 2 * STANDIN_RATE_BEFORE)));
        } else {
            // Issue 28: the awslabs sink moved 0.177 of the raw consumer's rate in the reference run; 1.5 times that is 0.27.
            rows.add(new Row("1b. Own cost, prompt stand-in over HTTP", measured,
                    "CPU <= 8 µs (second half <= 5 µs), >= 0.27 of the raw consumer",
                    verdict(cpuWhole <= 8 && cpuHalf <= 5 && ofRaw >= 0.27)));
        }
    }

    /** The median of the values (the mean of the middle two of an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** "range a-b" of the values, or the one value. */
    private static String range(List<Double> values, String format) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "range " + format + "-" + format, min, max);
    }

    /** Each thread group's median over the runs. */
    private static Map<String, Double> medianSplit(List<Map<String, Double>> splits) {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        splits.stream().flatMap(m -> m.keySet().stream()).distinct()
                .forEach(k -> out.put(k, median(splits.stream().map(m -> m.getOrDefault(k, 0.0)).toList())));
        return out;
    }

    /**
     * Scenario 8: what routes cost. The same number of records drained into the stand-in over HTTP twice in this run: from
     * one topic to one stream, then from three topics (a third each) through three routes to three streams, each stream
     * with its own lane (sender, rate, concurrency, call slots), then from one topic split by a field
     * ({@code interest_service_type}, near the end of each record) over the same three streams. CPU per record of each
     * routed drain over the one-stream drain's.
     */
    private void threeStreams() throws Exception {
        String one = topic("routes-one");
        produce(one, events);
        String split = topic("routes-field");
        produce(split, events);
        List<String> three = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            three.add(topic("routes-" + name));
            produce(three.get(three.size() - 1), events / 3);
        }
        long threeEvents = events / 3 * 3;
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("mp.messaging.incoming.clicks.pattern", "true");
        routes.put("bridge.routing.unmatched", "drop");
        for (String t : three) {
            String name = t.substring("bench-routes-".length(), "bench-routes-".length() + 1);
            routes.put("bridge.routing.routes." + name + ".topics", t);
            routes.put("bridge.routing.routes." + name + ".delivery-stream", "clicks-" + name);
            routes.put("bridge.routing.routes." + name + ".index-pattern", "clicks-" + name + "*");
            routes.put("bridge.routing.routes." + name + ".backup-bucket", "clicks-backup");
        }
        Map<String, String> byField = new LinkedHashMap<>();
        byField.put("bridge.routing.unmatched", "drop");
        Map<String, String> values = Map.of("a", "1,2", "b", "3,4", "c", "5,6,7");
        for (String name : List.of("a", "b", "c")) {
            byField.put("bridge.routing.routes." + name + ".topics", split);
            byField.put("bridge.routing.routes." + name + ".field", "interest_service_type");
            byField.put("bridge.routing.routes." + name + ".values", values.get(name));
            byField.put("bridge.routing.routes." + name + ".delivery-stream", "clicks-" + name);
            byField.put("bridge.routing.routes." + name + ".index-pattern", "clicks-" + name + "*");
            byField.put("bridge.routing.routes." + name + ".backup-bucket", "clicks-backup");
        }
        // The drains take turns, each round with fresh groups, so that a change of the machine's load falls on all three alike.
        int rounds = Integer.getInteger("bench.routes.rounds", 2);
        List<BridgeRun> singles = new ArrayList<>();
        List<BridgeRun> routedRuns = new ArrayList<>();
        List<BridgeRun> fieldRuns = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String suffix = "-" + round + "-" + run;
            try (MinimalFirehose standIn = new MinimalFirehose(STANDIN_PORT, null)) {
                singles.add(deliver(bridge(one, "bench-routes-one" + suffix, "http://127.0.0.1:" + STANDIN_PORT, List.of()), events, standIn::records));
            }
            try (MinimalFirehose standIn = new MinimalFirehose(STANDIN_PORT, null)) {
                routedRuns.add(deliver(bridge("bench-routes-[abc]-" + run, "bench-routes-three" + suffix, "http://127.0.0.1:" + STANDIN_PORT, List.of())
                        .withSettings(routes), threeEvents, standIn::records));
            }
            try (MinimalFirehose standIn = new MinimalFirehose(STANDIN_PORT, null)) {
                fieldRuns.add(deliver(bridge(split, "bench-routes-field" + suffix, "http://127.0.0.1:" + STANDIN_PORT, List.of()).withSettings(byField),
                        events, standIn::records));
            }
        }
        Drains single = Drains.of(singles);
        Drains routed = Drains.of(routedRuns);
        Drains fielded = Drains.of(fieldRuns);
        double ratio = routed.cpuMicros() / single.cpuMicros();
        double fieldRatio = fielded.cpuMicros() / single.cpuMicros();
        ObjectNode node = results.putObject("routes").put("rounds", rounds).put("cpuRatio", ratio).put("byFieldCpuRatio", fieldRatio);
        single.into(node.putObject("oneStream"));
        routed.into(node.putObject("threeStreams"));
        fielded.into(node.putObject("byField"));
        rows.add(new Row("8. Three streams at once (three topics, three routes; stand-in over HTTP)",
                String.format(Locale.ROOT, "%s; one topic to one stream: %s; ratio %.2f (%d rounds, taking turns)", routed, single, ratio, rounds),
                "CPU per record <= 1.10 x one stream's (the rows move ±10% with the machine's load)", verdict(ratio <= 1.10)));
        rows.add(new Row("8b. One topic split by a field over three streams (stand-in over HTTP)",
                String.format(Locale.ROOT, "%s; ratio %.2f to one stream", fielded, fieldRatio),
                "reported (the field is read from every record of the topic)", "measured"));
    }

    /** Drains of one kind over the rounds: CPU per record over all of them, the rate and how many records a call took. */
    private record Drains(double cpuMicros, double secondHalfCpuMicros, double rate, double recordsPerCall) {
        static Drains of(List<BridgeRun> runs) {
            double cpu = runs.stream().mapToDouble(BridgeRun::cpuSeconds).sum();
            double delivered = runs.stream().mapToDouble(BridgeRun::delivered).sum();
            return new Drains(cpu / delivered * 1e6, runs.stream().mapToDouble(BridgeRun::secondHalfCpuMicrosPerRecord).average().orElse(0),
                    runs.stream().mapToDouble(BridgeRun::rate).average().orElse(0),
                    runs.stream().mapToDouble(BridgeRun::batchRecords).sum() / runs.stream().mapToDouble(BridgeRun::calls).sum());
        }

        void into(ObjectNode node) {
            node.put("cpuMicrosPerRecord", cpuMicros).put("secondHalfCpuMicrosPerRecord", secondHalfCpuMicros).put("recordsPerSecond", rate)
                    .put("recordsPerCall", recordsPerCall);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "CPU per record %.1f µs (second half %.1f), %,.0f rec/s, %.0f records per call", cpuMicros,
                    secondHalfCpuMicros, rate, recordsPerCall);
        }
    }

    /**
     * Records/s over HTTP before issue 14's changes, as deployed, on this project's shared 2-core machine (docs/benchmarks.md,
     * "The bridge's own cost"); the target is twice it.
     */
    private static final double STANDIN_RATE_BEFORE = 39_781;

    private void memoryUnderBacklog(String topic) throws Exception {
        faults("{\"deliveryEnabled\":false,\"mibPerSecond\":1}");
        String group = "bench-memory-" + run;
        List<double[]> samples = new ArrayList<>();
        try (ServiceProcess bridge = bridge(topic, group).start()) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end) {
                Map<String, Double> m = metrics();
                samples.add(new double[] { rssBytes(bridge.pid()), m.getOrDefault("jvm_gc_live_data_size_bytes", 0.0),
                        m.getOrDefault("bridge_inflight_bytes", 0.0), m.getOrDefault("bridge_inflight_limit_bytes", 0.0) });
                Thread.sleep(1_000);
            }
        } finally {
            faults("{\"mibPerSecond\":100000}");
        }
        double peakRss = samples.stream().mapToDouble(s -> s[0]).max().orElse(0);
        double rssAt20 = samples.get(Math.min(19, samples.size() - 1))[0];
        double rssAtEnd = samples.get(samples.size() - 1)[0];
        double peakLive = samples.stream().mapToDouble(s -> s[1]).max().orElse(0);
        double peakInFlight = samples.stream().mapToDouble(s -> s[2]).max().orElse(0);
        double bound = samples.get(samples.size() - 1)[3];
        double growth = rssAtEnd / rssAt20;
        ObjectNode node = results.putObject("memory");
        node.put("backlogEvents", memoryEvents).put("peakRssMiB", peakRss / (1 << 20)).put("rssAt20sMiB", rssAt20 / (1 << 20))
                .put("rssAt60sMiB", rssAtEnd / (1 << 20)).put("peakHeapAfterGcMiB", peakLive / (1 << 20))
                .put("peakInFlightBytes", peakInFlight).put("inFlightBound", bound);
        var series = node.putArray("inFlightBytesPerSecond");
        samples.forEach(s -> series.add(s[2]));
        boolean ok = peakRss <= 300.0 * (1 << 20) && growth < 1.15 && peakInFlight <= bound;
        rows.add(new Row("3. Memory under a " + String.format(Locale.ROOT, "%,d", memoryEvents) + "-event backlog at 1 MiB/s",
                String.format(Locale.ROOT, "peak RSS %.0f MiB (20 s: %.0f, 60 s: %.0f), heap after GC %.0f MiB, in flight max %.1f of %.1f MiB",
                        peakRss / (1 << 20), rssAt20 / (1 << 20), rssAtEnd / (1 << 20), peakLive / (1 << 20), peakInFlight / (1 << 20),
                        bound / (1 << 20)),
                "RSS flat, <= 300 MiB; in flight <= bound", verdict(ok)));
    }

    private void quotaUse(String topic) throws Exception {
        faults("{\"deliveryEnabled\":false,\"recordsPerSecond\":1000,\"mibPerSecond\":1}");
        String group = "bench-quota-" + run;
        double delivered;
        double throttled;
        double sent;
        try (ServiceProcess bridge = bridge(topic, group).start()) {
            awaitMetric("bridge_records_delivered_total", 1, Duration.ofSeconds(60));
            Thread.sleep(10_000); // the first seconds find the quota; measure the steady state
            Map<String, Double> before = metrics();
            Thread.sleep(60_000);
            Map<String, Double> after = metrics();
            delivered = after.get("bridge_records_delivered_total") - before.get("bridge_records_delivered_total");
            bytesPerRecordSeen = after.get("bridge_batch_bytes_sum") / after.get("bridge_batch_records_sum");
            throttled = after.get("bridge_records_throttled_total") - before.get("bridge_records_throttled_total");
            sent = after.get("bridge_batch_records_sum") - before.get("bridge_batch_records_sum");
        } finally {
            faults("{\"recordsPerSecond\":100000000,\"mibPerSecond\":100000}");
        }
        double rate = delivered / 60.0;
        // The quota that binds is whichever of records/s and MiB/s is reached first at this record size.
        double bytesPerRecord = bytesPerRecord();
        double bindingQuota = Math.min(1000.0, 1024 * 1024 / bytesPerRecord);
        double use = rate / bindingQuota;
        double throttledShare = sent == 0 ? 0 : throttled / sent;
        results.putObject("quota").put("quotaRecordsPerSecond", 1000).put("quotaMiBPerSecond", 1).put("bytesPerRecord", bytesPerRecord)
                .put("bindingQuotaRecordsPerSecond", bindingQuota).put("achievedRecordsPerSecond", rate).put("quotaUse", use)
                .put("throttledShare", throttledShare);
        rows.add(new Row("5. Quota use (1,000 rec/s, 1 MiB/s, 60 s)",
                String.format(Locale.ROOT, "%.0f rec/s = %.1f%% of the binding quota (%.0f rec/s at %.0f B/record), %.2f%% of entries throttled",
                        rate, use * 100, bindingQuota, bytesPerRecord, throttledShare * 100),
                ">= 95%, <= 1% throttled", verdict(use >= 0.95 && throttledShare <= 0.01)));
    }

    private double bytesPerRecordSeen;

    private double bytesPerRecord() {
        return bytesPerRecordSeen;
    }

    /**
     * Scenario 6: a steady 5,000 events/s (500 every 100 ms): 10 s of warm-up, not sampled, then 30 s measured. The
     * warm-up covers the consumer group's first assignment and the JIT of a freshly started bridge and endpoint; without
     * it the first seconds' events waited 3-5 s while the steady state stayed under 2.7 s. Every measured event's Kafka
     * timestamp is registered in a {@link FreshnessTally} before the event is sent; the index is polled every 50 ms with
     * a size-0 query (a 1 ms histogram of kafka.timestamp over the events not all seen yet), and each event is sampled
     * once, at the poll that first found it, whatever order documents become visible in. The row reports how many events were sampled out of
     * how many were produced and the bound on a sample's error. {@code -Dbench.freshness.stages=true} also samples the
     * endpoint's counters (records accepted, records indexed) to show how the time splits between the stages.
     */
    private void freshness() throws Exception {
        faults("{\"deliveryEnabled\":true}");
        String topic = topic("fresh");
        FreshnessTally tally = new FreshnessTally();
        boolean stages = Boolean.getBoolean("bench.freshness.stages");
        List<long[]> endpointCounts = new ArrayList<>(); // {time, records accepted by the endpoint, records indexed}; first: the base
        java.util.concurrent.atomic.AtomicReference<Exception> producerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        try (ServiceProcess bridge = bridge(topic, "bench-fresh-" + run).start(); ClickProducer producer = new ClickProducer()) {
            awaitAssigned(topic, "bench-fresh-" + run); // the consumer has joined its group before the clock starts
            Thread steady = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    for (int tick = 0; tick < WARM_UP_TICKS + 300; tick++) {
                        producer.backlog(topic, 500, EVENT_BYTES, tick < WARM_UP_TICKS ? timestamp -> {
                        } : tally::produced);
                        long wait = start + (tick + 1) * 100_000_000L - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                    }
                } catch (Exception e) {
                    producerFailure.set(e);
                }
            });
            if (stages) {
                long[] before = endpointCounts(System.currentTimeMillis());
                endpointCounts.add(new long[] { before[0], before[1] + WARM_UP_TICKS * 500L, before[2] + WARM_UP_TICKS * 500L });
            }
            steady.start();
            while (tally.producedCount() == 0 && steady.isAlive()) {
                Thread.sleep(10); // warm-up: nothing is sampled, so nothing is polled
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long nextPoll = System.currentTimeMillis();
            long nextCounts = 0;
            while (System.nanoTime() < deadline && (steady.isAlive() || tally.missing() > 0)) {
                long wait = nextPoll - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                long from = tally.pendingFrom();
                long sentAt = System.currentTimeMillis();
                nextPoll = sentAt + 50;
                Map<Long, Long> found = search(topic, from);
                tally.polled(sentAt, System.currentTimeMillis(), found);
                if (stages && sentAt >= nextCounts) {
                    nextCounts = sentAt + 100;
                    endpointCounts.add(endpointCounts(sentAt));
                }
            }
            steady.join();
        }
        if (producerFailure.get() != null) {
            throw producerFailure.get();
        }
        double p50 = tally.percentileSeconds(0.50);
        double p99 = tally.percentileSeconds(0.99);
        ObjectNode node = results.putObject("freshness");
        node.put("eventsPerSecond", 5000).put("warmUpSeconds", WARM_UP_TICKS / 10).put("produced", tally.producedCount())
                .put("samples", tally.samples())
                .put("missing", tally.missing()).put("duplicatesSeen", tally.duplicates()).put("foreignDocuments", tally.foreign())
                .put("p50Seconds", p50).put("p90Seconds", tally.percentileSeconds(0.90)).put("p99Seconds", p99)
                .put("maxSeconds", tally.percentileSeconds(1.0)).put("sampleOverstatesByLessThanMillis", tally.maxGapMillis())
                .put("sampleUnderstatesByLessThanMillis", tally.maxResponseMillis());
        var bySecond = node.putArray("bySecondOfProduction");
        tally.bySecondOfProduction().forEach(q -> bySecond.addObject().put("p50", q[0]).put("p99", q[1]).put("max", q[2]));
        if (stages) {
            freshnessStages(tally, endpointCounts, node.putObject("stages"));
        }
        rows.add(new Row("6. Freshness at 5,000 ev/s, 1 s buffer (append to searchable)",
                String.format(Locale.ROOT, "p50 %.2f s, p99 %.2f s (%,d of %,d events sampled after a 10 s warm-up; each sample +%d/-%d ms)",
                        p50, p99, tally.samples(), tally.producedCount(), tally.maxGapMillis(), tally.maxResponseMillis()),
                "p99 <= 3 s", verdict(p99 <= 3.0 && tally.samples() > 0 && tally.missing() == 0 && tally.foreign() == 0)));
    }

    /** Ticks of 500 events (100 ms each) produced before the measured ones. */
    private static final int WARM_UP_TICKS = 100;

    /**
     * Splits the freshness into stages from cumulative counts: the n-th event produced, accepted by the endpoint,
     * indexed (its bulk request answered) and searchable. Events move roughly in order, so the time between two curves
     * reaching n approximates the n-th event's time in that stage; the counters are read every 100 ms.
     */
    private static void freshnessStages(FreshnessTally tally, List<long[]> endpointCounts, ObjectNode out) {
        List<long[]> searchable = tally.searchableOverTime();
        long total = tally.samples();
        List<Double> toEndpoint = new ArrayList<>();
        List<Double> toIndexed = new ArrayList<>();
        List<Double> toSearchable = new ArrayList<>();
        // The first entry is the base: the counters before the warm-up plus the warm-up's events.
        long base0 = endpointCounts.get(0)[1];
        long base1 = endpointCounts.get(0)[2];
        endpointCounts = endpointCounts.subList(1, endpointCounts.size());
        for (long n = 250; n <= total; n += 250) {
            double produced = tally.producedAt(n);
            double accepted = reached(endpointCounts, 1, base0, n);
            double indexed = reached(endpointCounts, 2, base1, n);
            double visible = reached(searchable, 1, 0, n);
            if (Double.isNaN(accepted) || Double.isNaN(indexed) || Double.isNaN(visible)) {
                continue;
            }
            toEndpoint.add((accepted - produced) / 1000);
            toIndexed.add((indexed - accepted) / 1000);
            toSearchable.add((visible - indexed) / 1000);
        }
        for (var stage : List.of(Map.entry("producedToAccepted", toEndpoint), Map.entry("acceptedToIndexed", toIndexed),
                Map.entry("indexedToSearchable", toSearchable))) {
            stage.getValue().sort(Double::compare);
            out.putObject(stage.getKey()).put("p50Seconds", percentile(stage.getValue(), 0.5))
                    .put("p99Seconds", percentile(stage.getValue(), 0.99));
        }
        System.out.printf(Locale.ROOT, "Freshness stages (p50 / p99 s): produced->accepted %s, accepted->indexed %s, indexed->searchable %s%n",
                out.get("producedToAccepted"), out.get("acceptedToIndexed"), out.get("indexedToSearchable"));
    }

    /** The time at which a cumulative count (column {@code column}, less {@code base}) first reached n, interpolated. */
    private static double reached(List<long[]> samples, int column, long base, long n) {
        long[] previous = null;
        for (long[] s : samples) {
            if (s[column] - base >= n) {
                if (previous == null) {
                    return s[0];
                }
                double c0 = previous[column] - base;
                return previous[0] + (n - c0) / (s[column] - base - c0) * (s[0] - previous[0]);
            }
            previous = s;
        }
        return Double.NaN;
    }

    /** The endpoint's own counters for the stream: {time, records accepted, records indexed}. */
    private static long[] endpointCounts(long at) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FIREHOSE_HTTP + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long[] out = { at, 0, 0 };
        for (String line : body.split("\n")) {
            int column = line.startsWith("localfirehose_incoming_records_total{") ? 1
                    : line.startsWith("localfirehose_delivery_search_records_total{") ? 2 : 0;
            if (column > 0 && line.contains("stream=\"clicks\"")) {
                out[column] = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return out;
    }

    // ---- machinery ----

    /** Result of letting a fresh bridge group drain a backlog. */
    record BridgeRun(double rate, double delivered, double calls, double batchRecords, double batchBytes, double cpuSeconds,
            double secondHalfRate, double secondHalfCpuMicrosPerRecord, double allocatedBytesPerRecord,
            double secondHalfAllocatedBytesPerRecord, Map<String, Double> cpuSplit, Map<String, Double> secondHalfCpuSplit,
            double endRssBytes, double endLiveHeapBytes, double callLimitAtEnd) {
    }

    private BridgeRun deliver(String topic, String name, long expected) throws Exception {
        return deliver(bridge(topic, "bench-" + name + "-" + run), expected);
    }

    /**
     * Starts the bridge and measures its drain of {@code expected} records from the first delivered one. Allocation is the
     * JVM's own count ({@code jvm_gc_memory_allocated_bytes_total}, young-generation growth between collections), so it
     * trails by at most one young collection at each sample. Progress comes from the bridge's metrics, polled every 200 ms.
     */
    private BridgeRun deliver(ServiceProcess process, long expected) throws Exception {
        return deliver(process, expected, null);
    }

    /**
     * Like {@link #deliver(ServiceProcess, long)}, with progress counted by the endpoint ({@code accepted}, records it took,
     * polled every 10 ms in this JVM) when given: the bridge's metrics are then read only at the three points measured.
     * Every scrape costs the bridge CPU (its Prometheus text, a REST request); five a second were part of what the
     * stand-in runs charged it, and a production scrape comes every 15 to 60 s.
     */
    private BridgeRun deliver(ServiceProcess process, long expected, java.util.function.LongSupplier accepted) throws Exception {
        String allocated = "jvm_gc_memory_allocated_bytes_total";
        String delivered = "bridge_records_delivered_total";
        try (ServiceProcess bridge = process.start()) {
            Point first = await(accepted, delivered, 1, Duration.ofSeconds(60), bridge.pid());
            Point atHalf = await(accepted, delivered, expected / 2.0, Duration.ofMinutes(10), bridge.pid());
            Point end = await(accepted, delivered, expected, Duration.ofMinutes(10), bridge.pid());
            double count = end.records() - first.records();
            double half = end.records() - atHalf.records();
            // The second half of the drain, when JIT compilation has mostly settled: the rate a long-running bridge keeps.
            double secondHalf = half / ((end.nanos() - atHalf.nanos()) / 1e9);
            double secondHalfCpuMicros = (end.cpu().total() - atHalf.cpu().total()) / half * 1e6;
            double allocatedPerRecord = (end.metrics().getOrDefault(allocated, 0.0) - first.metrics().getOrDefault(allocated, 0.0)) / count;
            double secondHalfAllocatedPerRecord = (end.metrics().getOrDefault(allocated, 0.0) - atHalf.metrics().getOrDefault(allocated, 0.0))
                    / half;
            return new BridgeRun(end.records() / ((end.nanos() - first.nanos()) / 1e9), end.records(),
                    end.metrics().get("bridge_batch_records_count"), end.metrics().get("bridge_batch_records_sum"),
                    end.metrics().get("bridge_batch_bytes_sum"), end.cpu().total() - first.cpu().total(), secondHalf, secondHalfCpuMicros,
                    allocatedPerRecord, secondHalfAllocatedPerRecord, end.cpu().microsPerRecordSince(first.cpu(), count),
                    end.cpu().microsPerRecordSince(atHalf.cpu(), half), rssBytes(bridge.pid()),
                    end.metrics().getOrDefault("jvm_gc_live_data_size_bytes", 0.0),
                    end.metrics().getOrDefault("bridge_inflight_calls_limit", 0.0));
        }
    }

    /** One measuring point of a drain: records done, when, the bridge's CPU by threads and its metrics then. */
    private record Point(double records, long nanos, ThreadCpu cpu, Map<String, Double> metrics) {
    }

    private static Point await(java.util.function.LongSupplier accepted, String metric, double atLeast, Duration timeout, long pid)
            throws Exception {
        if (accepted == null) {
            Map<String, Double> m = awaitMetric(metric, atLeast, timeout);
            return new Point(m.get(metric), System.nanoTime(), ThreadCpu.of(pid), m);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long done;
        while ((done = accepted.getAsLong()) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the endpoint took " + done + " records, not " + atLeast + ", within " + timeout);
            }
            Thread.sleep(10);
        }
        return new Point(done, System.nanoTime(), ThreadCpu.of(pid), metrics());
    }

    /** As deployed ({@link DeployedJvm}). */
    private static final List<String> BRIDGE_JVM = bridgeJvm();

    /** The deployment's options, plus any given with {@code -Dbench.bridge.jvm="..."} (e.g. a JFR recording for a profile). */
    private static List<String> bridgeJvm() {
        List<String> options = new ArrayList<>(DeployedJvm.options());
        String extra = System.getProperty("bench.bridge.jvm", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return List.copyOf(options);
    }

    private ServiceProcess bridge(String topic, String group) {
        return bridge(topic, group, "http://127.0.0.1:" + FIREHOSE_PORT, List.of());
    }

    /** The bridge as deployed, delivering to {@code endpoint}, with {@code extraJvm} options after the deployment's. */
    private ServiceProcess bridge(String topic, String group, String endpoint, List<String> extraJvm) {
        List<String> jvm = new ArrayList<>(BRIDGE_JVM);
        jvm.addAll(extraJvm);
        return new ServiceProcess("bench-bridge", BRIDGE_HTTP, Map.of("quarkus.profile", "local", "bridge.delivery.endpoint", endpoint, "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", group, "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.install-index-template", "false",
                // The ledger records every accepted span (its hot-path cost is measured); its verifier would only add
                // search and S3 load unrelated to the scenario.
                "bridge.reconcile.ledger.topic", group + "-ledger", "bridge.reconcile.jobs.topic", group + "-jobs",
                "bridge.reconcile.ledger.verify-interval", "1h"), jvm)
                .withEnvironment(BRIDGE_ENV)
                .withJavaHome(BRIDGE_JAVA_HOME);
    }

    /** The JVM the bridge runs on: the tests' own, or another with {@code -Dbench.bridge.java-home=} (to compare runtimes). */
    private static final Path BRIDGE_JAVA_HOME = Path.of(System.getProperty("bench.bridge.java-home", System.getProperty("java.home")));

    /**
     * As deployed: glibc's malloc arenas capped (the default is eight per core, each holding freed native memory of the
     * threads that used it). {@code -Dbench.malloc.arena.max=} (empty) leaves glibc's default, for comparison.
     */
    static final Map<String, String> BRIDGE_ENV = System.getProperty("bench.malloc.arena.max") == null ? DeployedJvm.environment()
            : System.getProperty("bench.malloc.arena.max").isBlank() ? Map.of()
            : Map.of("MALLOC_ARENA_MAX", System.getProperty("bench.malloc.arena.max"));

    private double rawConsumerRate(String topic, long count) throws Exception {
        Path libs = Path.of(System.getenv().getOrDefault("FHB_STACK_HOME", "/var/tmp/kafka-firehose-bridge-" + System.getProperty("user.name")),
                "dist", "kafka-4.1.2", "libs");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", libs + "/*", "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", "127.0.0.1:9092",
                "--topic", topic, "--messages", Long.toString(count), "--group", "bench-raw-" + run, "--timeout", "60000")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        // Header then one CSV line; fetch.nMsg.sec is the rate excluding the group join.
        String[] lines = out.strip().split("\n");
        String[] header = null;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("fetch.nMsg.sec")) {
                header = lines[i].split(",\\s*");
                String[] values = lines[i + 1].split(",\\s*");
                for (int c = 0; c < header.length; c++) {
                    if (header[c].trim().equals("fetch.nMsg.sec")) {
                        return Double.parseDouble(values[c].trim());
                    }
                }
            }
        }
        throw new IllegalStateException("Unexpected ConsumerPerformance output:\n" + out);
    }

    private String topic(String name) throws Exception {
        String topic = "bench-" + name + "-" + run;
        Topics.create(List.of(new NewTopic(topic, 6, (short) 1)));
        return topic;
    }

    private void produce(String topic, long count) throws Exception {
        try (ClickProducer producer = new ClickProducer()) {
            producer.backlog(topic, count, EVENT_BYTES);
        }
    }

    private static void faults(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FIREHOSE_PORT + "/_local/streams/clicks/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static Map<String, Double> metrics() throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + BRIDGE_HTTP + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String name = line.substring(0, line.indexOf(line.contains("{") && line.indexOf('{') < line.indexOf(' ') ? '{' : ' '));
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            values.merge(name, value, Double::sum);
        }
        return values;
    }

    /** Until {@code group} is Stable with every partition of {@code topic} assigned to one of its members. */
    private static void awaitAssigned(String topic, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            int partitions = ConsumerGroups.partitions(admin, topic);
            Awaitility.await("group " + group + " stable with the " + partitions + " partitions of " + topic + " assigned")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsMatching(e -> e.getCause() instanceof GroupIdNotFoundException)
                    .until(() -> ConsumerGroups.settled(ConsumerGroups.describe(admin, group), topic, partitions));
        }
    }

    /**
     * Polls the bridge's metrics every 200 ms until {@code name} reaches {@code atLeast}. Each scrape costs the bridge CPU
     * (a JFR profile of a drain found Prometheus text formatting and its compilation among the top items when polled
     * every 50 ms), so the bench polls no more often than its rates need: 200 ms is 1-2% of a 500,000-record half drain.
     */
    private static Map<String, Double> awaitMetric(String name, double atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Double> m = metrics();
            if (m.getOrDefault(name, 0.0) >= atLeast) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " stayed below " + atLeast + " (at " + m.get(name) + ") for " + timeout);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Documents of {@code topic} per millisecond of Kafka timestamp, from {@code fromTimestamp} on: a size-0 query with a
     * 1 ms histogram, so a poll fetches no documents and its answer stays small (the range only spans events not all seen).
     */
    private static Map<Long, Long> search(String topic, long fromTimestamp) throws Exception {
        // kafka.topic is a keyword where the coordinate template was installed before the index was made; an index made
        // first (a fresh stack whose first delivery came from a bridge that does not install it) maps it as text with a
        // keyword subfield, on which the term would find nothing.
        String body = "{\"size\":0,\"track_total_hits\":false,\"query\":{\"bool\":{\"filter\":[{\"bool\":{\"should\":["
                + "{\"term\":{\"kafka.topic\":\"" + topic + "\"}},{\"term\":{\"kafka.topic.keyword\":\"" + topic + "\"}}]}},"
                + "{\"range\":{\"kafka.timestamp\":{\"gte\":" + fromTimestamp + "}}}]}},"
                + "\"aggs\":{\"t\":{\"histogram\":{\"field\":\"kafka.timestamp\",\"interval\":1,\"min_doc_count\":1}}}}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9200/clicks*/_search?allow_no_indices=true"
                + "&filter_path=aggregations.t.buckets.key,aggregations.t.buckets.doc_count"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<Long, Long> found = new LinkedHashMap<>();
        for (JsonNode bucket : JSON.readTree(r.body()).path("aggregations").path("t").path("buckets")) {
            found.put(bucket.path("key").decimalValue().longValueExact(), bucket.path("doc_count").asLong());
        }
        return found;
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    private static String verdict(boolean ok) {
        return ok ? "met" : "NOT met";
    }

    private void report() throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("| scenario | measured | target | verdict |\n|---|---|---|---|\n");
        for (Row r : rows) {
            table.append("| ").append(r.scenario()).append(" | ").append(r.measured()).append(" | ").append(r.target()).append(" | ")
                    .append(r.verdict()).append(" |\n");
        }
        System.out.println("\n" + table);
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        var array = results.putArray("table");
        rows.forEach(r -> array.addObject().put("scenario", r.scenario()).put("measured", r.measured()).put("target", r.target())
                .put("verdict", r.verdict()));
        Files.writeString(dir.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        String summary = "Latest run: " + Instant.now().atOffset(ZoneOffset.UTC).toLocalDate() + ", " + results.get("machine").asText()
                + ".\nCommand: `./mvnw -Pbench verify` (sizes: " + events + " events, " + memoryEvents + " for the memory scenario, 1 KB "
                + "seed-shaped click events, 6 partitions). Raw results: `target/bench/results.json`.\n\n" + table;
        Files.writeString(dir.resolve("benchmarks.md"), summary);
        if (System.getProperty("bench.only", "").isBlank()) {
            // docs/benchmarks.md keeps its analysis; only the part between the markers is replaced.
            Path doc = Path.of("docs", "benchmarks.md");
            String begin = "<!-- results:begin -->";
            String end = "<!-- results:end -->";
            String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n\n" + begin + "\n" + end + "\n";
            int from = text.indexOf(begin);
            int to = text.indexOf(end);
            if (from < 0 || to < from) {
                text = text + "\n" + begin + "\n" + end + "\n";
                from = text.indexOf(begin);
                to = text.indexOf(end);
            }
            Files.writeString(doc, text.substring(0, from + begin.length()) + "\n" + summary + text.substring(to));
        }
    }
}
