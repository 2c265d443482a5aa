package io.firehosebridge.faults;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.firehosebridge.faults.ReconciliationJudge.Verdict;
import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.DeployedJvm;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The fault suite ({@code ./mvnw -Pfaults verify}): the packaged bridge, with the deployment's JVM settings
 * ({@link DeployedJvm}), and a separate local Firehose endpoint (profile {@code firehose}) on the real local stack, broken on purpose one scenario after another. After every
 * scenario the bridge's own reconciliation API is the judge, together with the dead-letter topic: every produced
 * offset is in the index and the backup, or dead-lettered with a reason; duplicates stay within the bound the
 * scenario states. Prints one table and writes {@code target/faults/results.json} and {@code docs/faults.md}.
 *
 * <p>Sizes are system properties with modest defaults ({@code -Dfaults.crash.events=300000 -Dfaults.crash.kills=10},
 * {@code -Dfaults.outage.seconds=120}, {@code -Dfaults.scaling.events=300000 -Dfaults.scaling.rate=1500}, ...);
 * {@code -Dfaults.only=crash,api} runs a subset; {@code -Dfaults.bridge.props="key=value ..."} changes the bridges' settings.
 * Only a full run rewrites docs/reliability.md.
 */
class FaultSuite {

    private static final Logger LOG = Logger.getLogger(FaultSuite.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FIREHOSE_PORT = 4578;
    private static final int FIREHOSE_HTTP = 8098;
    private static final int BRIDGE_HTTP = 8099;
    /** The first of the twelve HTTP ports the scaling scenario's replicas take in turn. */
    private static final int SCALING_HTTP = 8110;
    private static final int PARTITIONS = 6;
    /** The bridge's in-flight bound in this suite (as in the test profile), so a kill can only repeat a known amount. */
    static final long IN_FLIGHT_BYTES = 4 * 1024 * 1024;
    /** Resets every quota and fault of the endpoint's stream to the defaults (the us-east-1 Direct PUT quotas). */
    private static final String HEALTHY = "{\"recordsPerSecond\":500000,\"requestsPerSecond\":2000,\"mibPerSecond\":5,"
            + "\"recordFailureRate\":0,\"callErrorUntil\":null,\"addedLatencyMillis\":0,\"deliveryEnabled\":true}";
    private static final String API_TOKEN = "fault-suite-token-" + UUID.randomUUID();
    private static final String S3_SECRET = "local-secret-key";

    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final long seed = Long.getLong("faults.seed", System.currentTimeMillis());
    private final Random random = new Random(seed);
    private final Duration settle = Duration.ofSeconds(Long.getLong("faults.settle.seconds", 240));
    private final List<Row> rows = new ArrayList<>();
    private final ObjectNode results = JSON.createObjectNode();
    private final ArrayNode details = results.putArray("scenarios");
    private final ReconciliationJudge judge = new ReconciliationJudge(() -> BRIDGE_HTTP, settle);

    /** One line of the table. */
    record Row(String scenario, long events, long missing, long duplicated, long deadLettered, String recovery, String bound,
            String verdict) {
    }

    @Test
    void survivesEveryFault() throws Exception {
        LocalStackResource.ensureStarted();
        results.put("date", Instant.now().toString());
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version());
        results.put("seed", seed);
        LOG.infof("fault suite run %s, seed %d", run, seed);
        try (ServiceProcess firehose = ServiceProcess.localFirehose("faults-firehose", FIREHOSE_HTTP, Map.of("local-firehose.port", Integer.toString(FIREHOSE_PORT))).start()) {
            scenario("crash", this::crash);
            scenario("throttling", this::throttlingStorm);
            scenario("partial", this::partialFailures);
            scenario("outage", this::endpointDown);
            scenario("bad-input", this::badInput);
            scenario("api", this::apiAbuse);
            scenario("kafka-restart", this::kafkaRestart);
            scenario("search-outage", this::searchOutage);
            scenario("scaling", this::scaling);
        } finally {
            report();
        }
        assertThat(rows).as("scenarios that missed their bound (see the table)").allSatisfy(r -> assertThat(r.verdict()).isEqualTo("met"));
    }

    interface Scenario {
        void run() throws Exception;
    }

    /** Runs a selected scenario; an exception becomes a NOT met row instead of hiding the other scenarios. */
    private void scenario(String name, Scenario scenario) throws Exception {
        String only = System.getProperty("faults.only", "");
        if (!only.isBlank() && !List.of(only.split(",")).contains(name)) {
            return;
        }
        faults(HEALTHY);
        long t0 = System.nanoTime();
        try {
            scenario.run();
        } catch (Exception | AssertionError e) {
            LOG.errorf(e, "scenario %s failed", name);
            rows.add(new Row(name, 0, -1, -1, -1, "-", "-", "NOT met (" + e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")"));
        } finally {
            faults(HEALTHY);
        }
        LOG.infof("scenario %s took %.0f s", name, (System.nanoTime() - t0) / 1e9);
    }

    // ---- scenarios ----

    /** SIGKILL at random moments during a stream, restarted each time: no gap, duplicates within the in-flight bound per kill. */
    private void crash() throws Exception {
        long events = Long.getLong("faults.crash.events", 100_000);
        int kills = Integer.getInteger("faults.crash.kills", 5);
        String topic = topic("crash");
        Map<String, String> props = repairByVerifier(bridgeProps(topic));
        EventStream stream = new EventStream(topic, events, Integer.getInteger("faults.crash.rate", 5_000)).start();
        ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, props).start();
        int done = 0;
        try {
            while (done < kills) {
                // A random moment: between 1 and 6 s after the bridge became live (it starts consuming within a second or two).
                Thread.sleep(1_000 + random.nextInt(5_000));
                bridge.kill();
                done++;
                LOG.infof("crash: SIGKILL %d of %d, %,d events produced so far", done, kills, stream.produced());
                bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, props).start();
            }
            stream.await();
            long streamEnd = System.nanoTime();
            Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
            Repaired repaired = awaitRepaired(judge, topic, streamEnd, settle);
            // What a kill can repeat: what was in flight (4 MiB, at least ~250 B per enriched event) plus what was
            // acknowledged but not yet committed (auto.commit.interval 1 s, at most the stream rate for that second).
            long perKill = IN_FLIGHT_BYTES / 250 + 20_000;
            long bound = kills * perKill;
            boolean ok = v.missing() == 0 && v.deadLettered() == 0 && v.duplicated() <= bound && repaired.done();
            add("1. Crash: " + kills + " SIGKILLs during the stream", v, repaired.text(),
                    "0 missing; duplicates <= " + fmt(bound) + " (" + fmt(perKill) + " per kill); 0 in the index after the verifier's repair", ok,
                    detail("crash", v).put("kills", kills).put("indexDuplicatesAfterRepair", repaired.verdict().duplicatedInSearch())
                            .put("repairedSecondsAfterStreamEnd", repaired.seconds()));
        } finally {
            stream.stop();
            bridge.stop();
        }
    }

    /** The record quota cut to 10% mid-stream, then restored: nothing lost or dead-lettered; how fast the rate comes back. */
    private void throttlingStorm() throws Exception {
        int rate = Integer.getInteger("faults.throttle.rate", 1_000);
        int quota = 2 * rate;
        int cutSeconds = Integer.getInteger("faults.throttle.seconds", 60);
        int before = 15;
        int after = Integer.getInteger("faults.throttle.after.seconds", 45);
        String topic = topic("throttle");
        faults("{\"recordsPerSecond\":" + quota + "}");
        long events = (long) rate * (before + cutSeconds + after);
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, bridgeProps(topic)).start()) {
            EventStream stream = new EventStream(topic, events, rate).start();
            try {
                Thread.sleep(before * 1_000L);
                double steady = deliveredRate(5);
                faults("{\"recordsPerSecond\":" + quota / 10 + "}");
                LOG.infof("throttling: quota cut to %d rec/s for %d s (delivering %.0f rec/s before)", quota / 10, cutSeconds, steady);
                Thread.sleep(cutSeconds * 1_000L);
                faults("{\"recordsPerSecond\":" + quota + "}");
                long restored = System.nanoTime();
                // Recovered: a one-second delivered rate back at 90% of the rate before the cut (a backlog is waiting).
                double recovery = Double.NaN;
                double previous = delivered();
                long previousAt = System.nanoTime();
                while (System.nanoTime() - restored < Duration.ofSeconds(60).toNanos()) {
                    Thread.sleep(250);
                    double now = delivered();
                    long at = System.nanoTime();
                    if (at - previousAt >= 1_000_000_000L) {
                        double r = (now - previous) / ((at - previousAt) / 1e9);
                        if (r >= 0.9 * steady) {
                            recovery = (at - restored) / 1e9;
                            break;
                        }
                        previous = now;
                        previousAt = at;
                    }
                }
                stream.await();
                Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
                boolean ok = v.missing() == 0 && v.deadLettered() == 0 && v.duplicated() == 0 && recovery <= 10;
                add("2. Throttling storm: quota " + fmt(quota) + " -> " + fmt(quota / 10) + " rec/s for " + cutSeconds + " s", v,
                        Double.isNaN(recovery) ? "> 60 s" : String.format(Locale.ROOT, "%.1f s", recovery),
                        "0 missing, 0 dead letters, 0 duplicates; rate back within 10 s", ok,
                        detail("throttling", v).put("rateBeforeCut", steady).put("recoverySeconds", recovery));
            } finally {
                stream.stop();
            }
        }
    }

    /** 30% of records answered InternalFailure for a while: only the failed entries are resent. */
    private void partialFailures() throws Exception {
        int rate = Integer.getInteger("faults.partial.rate", 2_000);
        int seconds = Integer.getInteger("faults.partial.seconds", 30);
        String topic = topic("partial");
        long events = (long) rate * (seconds + 10);
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, bridgeProps(topic)).start()) {
            EventStream stream = new EventStream(topic, events, rate).start();
            try {
                Thread.sleep(5_000);
                faults("{\"recordFailureRate\":0.3}");
                Thread.sleep(seconds * 1_000L);
                faults("{\"recordFailureRate\":0}");
                stream.await();
                Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
                Map<String, Double> m = metrics();
                long bound = events / 1000;
                boolean ok = v.missing() == 0 && v.deadLettered() == 0 && v.duplicated() <= bound;
                add("3. Partial failures: 30% of records fail for " + seconds + " s", v, "-",
                        "0 missing; duplicates <= 0.1% (" + fmt(bound) + ")", ok,
                        detail("partial", v).put("recordsRetried", m.getOrDefault("bridge_records_retried_total", 0.0)));
            } finally {
                stream.stop();
            }
        }
    }

    /** Every put call fails for a while: consumption pauses with bounded memory, delivery resumes after; nothing lost. */
    private void endpointDown() throws Exception {
        int rate = Integer.getInteger("faults.outage.rate", 1_000);
        int seconds = Integer.getInteger("faults.outage.seconds", 60);
        String topic = topic("outage");
        long events = (long) rate * (seconds + 20);
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, bridgeProps(topic)).start()) {
            EventStream stream = new EventStream(topic, events, rate).start();
            List<double[]> samples = new ArrayList<>();
            try {
                Thread.sleep(5_000);
                faults("{\"callErrorSeconds\":" + seconds + ",\"callErrorStatus\":503,\"callErrorType\":\"ServiceUnavailableException\"}");
                long down = System.nanoTime();
                double deliveredAtDown = delivered();
                while (System.nanoTime() - down < Duration.ofSeconds(seconds).toNanos()) {
                    Map<String, Double> m = metrics();
                    samples.add(new double[] { rssBytes(bridge.pid()), m.getOrDefault("bridge_inflight_bytes", 0.0),
                            m.getOrDefault("bridge_inflight_limit_bytes", 0.0), m.getOrDefault("bridge_records_consumed_total", 0.0) });
                    Thread.sleep(1_000);
                }
                long up = System.nanoTime();
                double deliveredAtUp = delivered();
                double resumed = Double.NaN;
                while (System.nanoTime() - up < Duration.ofSeconds(60).toNanos()) {
                    if (delivered() > deliveredAtUp) {
                        resumed = (System.nanoTime() - up) / 1e9;
                        break;
                    }
                    Thread.sleep(100);
                }
                stream.await();
                Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
                // Accepted during the outage: only what was in flight when it began (the first seconds' calls).
                double acceptedDuringOutage = deliveredAtUp - deliveredAtDown;
                int from = Math.min(samples.size() - 1, 10);
                double rssEarly = samples.get(from)[0];
                double rssPeak = samples.stream().skip(from).mapToDouble(s -> s[0]).max().orElse(0);
                double inFlightPeak = samples.stream().mapToDouble(s -> s[1]).max().orElse(0);
                double limit = samples.get(samples.size() - 1)[2];
                // Consumption pauses: after the first seconds, at most what fits in flight is read while nothing is accepted.
                double consumedWhileDown = samples.get(samples.size() - 1)[3] - samples.get(from)[3];
                boolean flat = rssPeak <= rssEarly * 1.15;
                boolean ok = v.missing() == 0 && v.deadLettered() == 0 && flat && inFlightPeak <= limit && !Double.isNaN(resumed);
                ObjectNode d = detail("outage", v).put("rssAt10sMiB", rssEarly / (1 << 20)).put("rssPeakMiB", rssPeak / (1 << 20))
                        .put("inFlightPeakBytes", inFlightPeak).put("inFlightLimitBytes", limit)
                        .put("deliveredDuringOutage", acceptedDuringOutage).put("resumedSeconds", resumed)
                        .put("consumedAfterFirst10s", consumedWhileDown);
                ArrayNode series = d.putArray("samples");
                samples.forEach(s -> series.addArray().add(s[0] / (1 << 20)).add(s[1]));
                add("4. Firehose endpoint down: every call 503 for " + seconds + " s", v,
                        Double.isNaN(resumed) ? "not resumed in 60 s" : String.format(Locale.ROOT, "resumed %.1f s after", resumed),
                        String.format(Locale.ROOT, "0 missing; RSS flat (%.0f -> peak %.0f MiB, <= +15%%); in flight <= %.0f MiB (peak %.1f); "
                                + "%,.0f consumed after the first 10 s down", rssEarly / (1 << 20), rssPeak / (1 << 20), limit / (1 << 20),
                                inFlightPeak / (1 << 20), consumedWhileDown),
                        ok, d);
            } finally {
                stream.stop();
            }
        }
    }

    /** Hostile records mixed into good ones: each dead-lettered with the right reason, the good ones delivered, no restart. */
    private void badInput() throws Exception {
        int hostile = Integer.getInteger("faults.bad.records", 10_000);
        int good = Integer.getInteger("faults.bad.good", 10_000);
        String topic = topic("bad");
        List<byte[]> values = new ArrayList<>(hostile + good);
        List<String> expected = new ArrayList<>(hostile + good);
        for (int i = 0; i < hostile; i++) {
            Hostile h = hostile(i);
            values.add(h.value());
            expected.add(h.reason());
        }
        try (ClickProducer producer = new ClickProducer()) {
            values.addAll(clicks(good));
            for (int i = 0; i < good; i++) {
                expected.add(null);
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, random);
            List<byte[]> shuffled = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            order.forEach(i -> {
                shuffled.add(values.get(i));
                reasons.add(expected.get(i));
            });
            try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, bridgeProps(topic)).start()) {
                long pid = bridge.pid();
                List<long[]> at = producer.sendEach(topic, shuffled);
                Map<Long, String> expectedReasons = new HashMap<>();
                for (int i = 0; i < at.size(); i++) {
                    if (reasons.get(i) != null) {
                        expectedReasons.put(DeliveredOffsets.key((int) at.get(i)[0], at.get(i)[1]), reasons.get(i));
                    }
                }
                Verdict v = judge.judge(topic, topic + "-dlq", expectedReasons.keySet());
                long wrongReason = expectedReasons.entrySet().stream().filter(e -> !e.getValue().equals(v.reasons().get(e.getKey()))).count();
                long goodDeadLettered = v.reasons().keySet().stream().filter(k -> !expectedReasons.containsKey(k)).count();
                Map<String, Long> byReason = new java.util.TreeMap<>();
                v.reasons().values().forEach(r -> byReason.merge(r, 1L, Long::sum));
                boolean sameProcess = bridge.pid() == pid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && get("/q/health/ready").statusCode() == 200;
                boolean ok = v.missing() == 0 && wrongReason == 0 && goodDeadLettered == 0 && v.deadLettersWithoutReason() == 0
                        && v.deadLettered() == hostile && sameProcess && v.duplicated() == 0;
                ObjectNode d = detail("bad-input", v).put("hostile", hostile).put("wrongReason", wrongReason)
                        .put("goodDeadLettered", goodDeadLettered).put("samePid", sameProcess);
                byReason.forEach((r, n) -> d.with("deadLettersByReason").put(r, n));
                add("5. Bad input: " + fmt(hostile) + " hostile among " + fmt(good) + " good records", v, "no restart: " + sameProcess,
                        "each hostile record dead-lettered with its reason (" + wrongReason + " wrong), every good one delivered", ok, d);
            }
        }
    }

    /** A hostile record and the dead-letter reason it must get. */
    record Hostile(byte[] value, String reason) {
    }

    private Hostile hostile(int i) {
        int kind = i % 10;
        String n = Integer.toString(i);
        return switch (kind) {
            case 0 -> new Hostile(bytes("not json " + n + " {"), "not-json");
            case 1 -> new Hostile(bytes(List.of("[1,2," + n + "]", n, "\"a string " + n + "\"", "null", "true").get(i / 10 % 5)), "not-an-object");
            case 2 -> new Hostile(concat(bytes("{\"event\":\"x"), new byte[] { (byte) 0xC3, (byte) 0x28, (byte) 0xFF }, bytes(n + "\"}")),
                    "invalid-utf8");
            // One in a hundred is too large for Firehose: 2 MB (the topic allows 4 MiB messages) or just over 1,000 KiB.
            case 3 -> i / 10 % 100 == 0
                    ? new Hostile(bytes("{\"note\":\"" + "x".repeat(i / 10 % 200 == 0 ? 2 * 1024 * 1024 : 1_024_100) + "\"}"), "oversize")
                    : new Hostile(bytes("[{\"event\":\"x" + n + "\"}]"), "not-an-object");
            case 4 -> new Hostile(bytes("{\"a\":".repeat(30 + i % 50) + "1" + "}".repeat(30 + i % 50)), "too-deep");
            case 5 -> new Hostile(bytes("{\"n\":" + "9".repeat(1_500) + "}"), "not-json");
            case 6 -> new Hostile(bytes("{\"event\":\"tab\there" + n + "\",\"c\":\"\u0001\"}"), "not-json");
            case 7 -> new Hostile(bytes("{\"event\":\"a\",\"interest_id\":" + n + ",\"event\":\"b\"}"), "duplicate-key");
            case 8 -> new Hostile(bytes("{\"kafka\":{\"offset\":" + n + "}}"), "reserved-field");
            default -> new Hostile(bytes(i % 20 == 9 ? "" : "{\"event\":\"x\"} trailing " + n), "not-json");
        };
    }

    /** ~2,000 malformed or hostile requests: only 4xx problem+json, no 5xx, no stack trace, no secret. */
    private void apiAbuse() throws Exception {
        int requests = Integer.getInteger("faults.api.requests", 2_000);
        String topic = topic("api");
        try (ClickProducer producer = new ClickProducer()) {
            producer.clicks(topic, 100);
        }
        Map<String, String> props = new LinkedHashMap<>(bridgeProps(topic));
        props.put("bridge.reconcile.api-token", API_TOKEN);
        int serverErrors = 0;
        int notProblem = 0;
        int leaks = 0;
        int successes = 0;
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        List<String> examples = new ArrayList<>();
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, props).start()) {
            long pid = bridge.pid();
            for (int i = 0; i < requests; i++) {
                HttpRequest request = abusive(i, topic);
                HttpResponse<String> r;
                try {
                    r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    serverErrors++;
                    examples.add(request.method() + " " + request.uri() + " -> " + e);
                    continue;
                }
                statuses.merge(r.statusCode(), 1, Integer::sum);
                String body = r.body();
                String type = r.headers().firstValue("Content-Type").orElse("");
                String problem = null;
                if (r.statusCode() >= 500) {
                    serverErrors++;
                    problem = "5xx";
                } else if (r.statusCode() < 400) {
                    successes++;
                    problem = "not an error";
                } else if (!type.startsWith("application/problem+json") || !JSON.readTree(body).has("status")) {
                    notProblem++;
                    problem = "not problem+json (" + type + ")";
                }
                String headers = r.headers().map().toString();
                if (body.contains("Exception") || body.contains("at io.") || body.contains("java.") || body.contains(API_TOKEN)
                        || body.contains(S3_SECRET) || headers.contains(API_TOKEN) || headers.contains(S3_SECRET)) {
                    leaks++;
                    problem = "leak";
                }
                if (problem != null && examples.size() < 20) {
                    String uri = request.uri().toString();
                    examples.add(problem + ": " + request.method() + " " + (uri.length() > 160 ? uri.substring(0, 160) + "..." : uri) + " -> "
                            + r.statusCode() + " " + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
                }
            }
            boolean alive = bridge.pid() == pid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && get("/q/health/live").statusCode() == 200;
            boolean ok = serverErrors == 0 && notProblem == 0 && leaks == 0 && successes == 0 && alive;
            examples.forEach(e -> LOG.warnf("api abuse: %s", e));
            ObjectNode d = JSON.createObjectNode().put("scenario", "api").put("requests", requests).put("serverErrors", serverErrors)
                    .put("notProblemJson", notProblem).put("leaks", leaks).put("successes", successes).put("alive", alive);
            statuses.forEach((s, c) -> d.with("statuses").put(Integer.toString(s), c));
            ArrayNode ex = d.putArray("examples");
            examples.forEach(ex::add);
            details.add(d);
            rows.add(new Row("6. API abuse: " + fmt(requests) + " malformed/hostile requests", requests, 0, 0, 0, "-",
                    "4xx problem+json only (" + statuses + "); " + serverErrors + " 5xx, " + notProblem + " not problem+json, " + leaks
                            + " leaks, " + successes + " 2xx/3xx",
                    ok ? "met" : "NOT met"));
        }
    }

    /** The broker stopped mid-stream and started again: readiness goes DOWN and comes back UP by itself; nothing lost. */
    private void kafkaRestart() throws Exception {
        int rate = Integer.getInteger("faults.kafka.rate", 1_000);
        int seconds = Integer.getInteger("faults.kafka.seconds", 30);
        String topic = topic("kafka");
        long events = (long) rate * (seconds + 30);
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, bridgeProps(topic)).start()) {
            long pid = bridge.pid();
            awaitReady(Duration.ofSeconds(60));
            EventStream stream = new EventStream(topic, events, rate).start();
            boolean sawNotReady = false;
            double readyAgain = Double.NaN;
            try {
                Thread.sleep(10_000);
                stack("down", "kafka");
                long down = System.nanoTime();
                while (System.nanoTime() - down < Duration.ofSeconds(seconds).toNanos()) {
                    sawNotReady |= readiness() != 200;
                    Thread.sleep(500);
                }
            } finally {
                stack("up", "kafka");
            }
            long up = System.nanoTime();
            while (System.nanoTime() - up < Duration.ofSeconds(120).toNanos()) {
                if (readiness() == 200) {
                    readyAgain = (System.nanoTime() - up) / 1e9;
                    break;
                }
                Thread.sleep(500);
            }
            try {
                stream.await();
            } finally {
                stream.stop();
            }
            Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
            boolean samePid = bridge.pid() == pid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            boolean ok = v.missing() == 0 && v.deadLettered() == 0 && sawNotReady && !Double.isNaN(readyAgain) && samePid;
            add("7. Kafka broker stopped " + seconds + " s mid-stream", v,
                    (sawNotReady ? "not-ready seen; " : "not-ready NEVER seen; ")
                            + (Double.isNaN(readyAgain) ? "not ready 120 s after restart" : String.format(Locale.ROOT, "ready %.1f s after restart", readyAgain)),
                    "0 missing; readiness DOWN then UP by itself, same process", ok,
                    detail("kafka-restart", v).put("sawNotReady", sawNotReady).put("readySecondsAfterRestart", readyAgain).put("samePid", samePid));
        }
    }

    /**
     * OpenSearch stopped for longer than the delivery stream's retry duration: the documents land under the failed-documents
     * prefix, reconciliation reports them in the backup and failed in search, and a re-drive makes every partition COMPLETE.
     */
    private void searchOutage() throws Exception {
        int rate = Integer.getInteger("faults.search.rate", 500);
        int seconds = Integer.getInteger("faults.search.seconds", 40);
        int retrySeconds = 10;
        String deliveryStream = "faults-search-" + run;
        createDeliveryStream(deliveryStream, retrySeconds);
        String topic = topic("search");
        Map<String, String> props = bridgeProps(topic);
        props.put("bridge.delivery.delivery-stream", deliveryStream);
        long events = (long) rate * (seconds + 20);
        long failed = 0;
        List<String> statuses = new ArrayList<>();
        try (ServiceProcess bridge = DeployedJvm.bridge("faults-bridge", BRIDGE_HTTP, props).start()) {
            EventStream stream = new EventStream(topic, events, rate).start();
            try {
                Thread.sleep(5_000);
                try {
                    stack("down", "opensearch");
                    Thread.sleep(seconds * 1_000L);
                } finally {
                    stack("up", "opensearch");
                }
                stream.await();
            } finally {
                stream.stop();
            }
            Map<Integer, Long> ends = ReconciliationJudge.endOffsets(topic);
            // Wait until the backup holds every offset and what search lacks is exactly what Firehose failed there.
            Map<Integer, JsonNode> reports = new HashMap<>();
            long deadline = System.nanoTime() + settle.toNanos();
            while (true) {
                long backupMissing = 0;
                long searchMissing = 0;
                long failedNow = 0;
                boolean answered = true;
                for (var e : ends.entrySet()) {
                    try {
                        JsonNode answer = judge.reconcileAnswer(topic, e.getKey(), 0, e.getValue());
                        reports.put(e.getKey(), answer);
                        JsonNode report = answer.path("report");
                        backupMissing += report.path("backup").path("missingCount").asLong();
                        searchMissing += report.path("search").path("missingCount").asLong();
                        failedNow += report.path("failedInSearch").path("count").asLong();
                    } catch (IllegalStateException ex) {
                        answered = false; // the search cluster is still recovering (503)
                    }
                }
                if (answered && backupMissing == 0 && failedNow > 0 && searchMissing == failedNow) {
                    failed = failedNow;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    failed = failedNow;
                    LOG.warnf("search outage: backup missing %d, search missing %d, failed in search %d at the deadline", backupMissing,
                            searchMissing, failedNow);
                    break;
                }
                Thread.sleep(5_000);
            }
            LOG.infof("search outage: %,d offsets in the backup and failed in search; re-driving", failed);
            long redriven = 0;
            boolean redrivesSucceeded = true;
            for (JsonNode answer : reports.values()) {
                if (answer.path("report").path("search").path("missingCount").asLong() == 0) {
                    continue;
                }
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + BRIDGE_HTTP + "/reconciliations/"
                        + answer.path("id").asText() + "/redrive")).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                LOG.infof("re-drive %s: %d %s", answer.path("id").asText(), r.statusCode(), r.body());
                // A re-drive runs as a job: 202 with its Location, then its state until it ended.
                if (r.statusCode() != 202 || r.headers().firstValue("Location").isEmpty()) {
                    throw new IllegalStateException("re-drive of " + answer.path("id").asText() + " not accepted: " + r.statusCode() + " " + r.body());
                }
                URI job = URI.create("http://127.0.0.1:" + BRIDGE_HTTP).resolve(r.headers().firstValue("Location").orElseThrow());
                JsonNode state = JSON.readTree(r.body());
                long jobDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (Set.of("QUEUED", "RUNNING").contains(state.path("state").asText()) && System.nanoTime() < jobDeadline) {
                    Thread.sleep(500);
                    state = JSON.readTree(HTTP.send(HttpRequest.newBuilder(job).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
                LOG.infof("re-drive job %s ended %s: %s", job, state.path("state").asText(), state.path("redrive"));
                redrivesSucceeded &= "SUCCEEDED".equals(state.path("state").asText());
                redriven += state.path("redrive").path("resent").asLong();
            }
            Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
            for (var e : ends.entrySet()) {
                statuses.add(judge.reconcile(topic, e.getKey(), 0, e.getValue()).path("status").asText());
            }
            boolean complete = statuses.stream().allMatch("COMPLETE"::equals);
            // The backup keeps the failed-document envelope and gets the re-driven copy: one extra copy per re-driven offset.
            boolean ok = failed > 0 && redrivesSucceeded && v.missing() == 0 && v.deadLettered() == 0 && complete && v.duplicatedInSearch() == 0
                    && v.duplicatedInBackup() <= redriven;
            add("8. OpenSearch stopped " + seconds + " s (stream retry " + retrySeconds + " s), then re-drive", v,
                    fmt(failed) + " failed in search, " + fmt(redriven) + " re-driven",
                    "failed documents in backup and reported; after re-drive every partition COMPLETE (" + String.join(",", new java.util.TreeSet<>(statuses))
                            + "), 0 duplicates in search, in the backup <= the re-driven copies",
                    ok, detail("search-outage", v).put("failedInSearch", failed).put("redriven", redriven).put("complete", complete));
        }
    }

    /**
     * Replicas in one consumer group added and removed during a stream (scale 1 -> 3, a rolling restart, a SIGKILL while the
     * group rebalances, scale 3 -> 2 -> 1): every offset delivered, each event's duplicates within the in-flight bound of the
     * consumers it moved. One row per event.
     */
    private void scaling() throws Exception {
        long events = Long.getLong("faults.scaling.events", 300_000);
        int rate = Integer.getInteger("faults.scaling.rate", 1_500);
        long gap = Long.getLong("faults.scaling.gap.seconds", 10) * 1_000;
        String topic = topic("scaling");
        List<ScalingScenario.Outcome> outcomes;
        Repaired repaired;
        long streamEnd;
        try (ScalingScenario scaling = new ScalingScenario(topic, repairByVerifier(ScalingScenario.replicaProps(topic, FIREHOSE_PORT)),
                SCALING_HTTP, rate)) {
            scaling.startWith(1);
            EventStream stream = new EventStream(topic, events, rate).start();
            try {
                Thread.sleep(gap);
                scaling.scaleTo(3);
                Thread.sleep(gap);
                scaling.rollingRestart();
                Thread.sleep(gap);
                scaling.killDuringRebalance();
                Thread.sleep(gap);
                scaling.scaleTo(2);
                Thread.sleep(gap);
                scaling.scaleTo(1);
                LOG.infof("scaling: every event done with %,d of %,d events produced", stream.produced(), events);
                stream.await();
                streamEnd = System.nanoTime();
            } finally {
                stream.stop();
            }
            outcomes = scaling.judge(settle);
            repaired = scaling.awaitRepaired(streamEnd, settle);
            for (int i = 0; i < outcomes.size(); i++) {
                ScalingScenario.Outcome o = outcomes.get(i);
                add("9." + (i + 1) + " Scaling: " + o.name(), o.verdict(),
                        Double.isNaN(o.convergedSeconds()) ? "group NOT stable within 120 s"
                                : o.bound() == 0 ? "-" : String.format(Locale.ROOT, "group stable in %.1f s", o.convergedSeconds()),
                        "0 missing; duplicates <= " + fmt(o.bound()), o.met(),
                        detail("scaling", o.verdict()).put("event", o.name()).put("convergedSeconds", o.convergedSeconds()));
            }
            add("9.R Scaling: the whole stream after the verifier's repair", repaired.verdict(), repaired.text(), "0 duplicates in the index",
                    repaired.done() && repaired.verdict().missing() == 0, detail("scaling", repaired.verdict()).put("event", "repair")
                            .put("repairedSecondsAfterStreamEnd", repaired.seconds()));
        }
    }

    /**
     * The ledger verifier's duplicate repair switched on (it is opt-in), with a delivery window and verify interval short
     * enough that it acts within a scenario.
     */
    static Map<String, String> repairByVerifier(Map<String, String> props) {
        props.put("bridge.reconcile.repair.verifier", "true");
        props.put("bridge.reconcile.delivery-window", "30s");
        props.put("bridge.reconcile.ledger.verify-interval", "5s");
        return props;
    }

    /** What the verifier's repair left in the index, and when it got there (seconds after the stream ended; NaN when not within the settle time). */
    record Repaired(Verdict verdict, double seconds) {
        boolean done() {
            return !Double.isNaN(seconds) && verdict.duplicatedInSearch() == 0;
        }

        String text() {
            return done() ? String.format(Locale.ROOT, "index duplicates repaired %.0f s after the stream", seconds)
                    : fmt(verdict.duplicatedInSearch()) + " duplicates left in the index";
        }
    }

    /** Judges the topic until the index holds no duplicate of it (the verifier's repair), or the settle time passed. */
    static Repaired awaitRepaired(ReconciliationJudge judge, String topic, long since, Duration settle) throws Exception {
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            Verdict v = judge.judge(topic, topic + "-dlq", Set.of());
            if (v.duplicatedInSearch() == 0) {
                double seconds = (System.nanoTime() - since) / 1e9;
                LOG.infof("%s: no duplicate left in the index %.0f s after the stream ended (%,d duplicated in the backup)", topic, seconds,
                        v.duplicatedInBackup());
                return new Repaired(v, seconds);
            }
            if (System.nanoTime() > deadline) {
                return new Repaired(v, Double.NaN);
            }
            LOG.infof("%s: %,d duplicates still in the index; waiting for the verifier's repair", topic, v.duplicatedInSearch());
            Thread.sleep(5_000);
        }
    }

    private static void createDeliveryStream(String name, int retrySeconds) throws Exception {
        LocalStreams.createAndAwaitActive(FIREHOSE_PORT, name, "clicks", "clicks-backup", retrySeconds);
    }

    private static int readiness() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + BRIDGE_HTTP + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (readiness() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
    }

    /** {@code deploy/local/stack <command> <part>}, the launcher people use. */
    private static void stack(String command, String part) throws Exception {
        Process p = new ProcessBuilder("deploy/local/stack", command, part).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "faults-stack.log").toFile())).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("deploy/local/stack " + command + " " + part + " did not finish within 180 s");
        }
        LOG.infof("deploy/local/stack %s %s: exit %d", command, part, p.exitValue());
        if (p.exitValue() != 0) {
            throw new IllegalStateException("deploy/local/stack " + command + " " + part + " exited with " + p.exitValue());
        }
    }

    private HttpRequest abusive(int i, String topic) {
        String base = "http://127.0.0.1:" + BRIDGE_HTTP + "/reconciliations";
        String method = "GET";
        String path;
        String body = null;
        String contentType = "application/json";
        switch (random.nextInt(9)) {
            case 0 -> path = "/" + enc(pick(badTopics())) + "/0?from=0&to=10";
            case 1 -> path = "/" + topic + "/" + enc(pick(List.of("-1", "abc", "99", "1e3", "2147483648", "0x1", " ", "0.5", "0;1")))
                    + "?from=0&to=10";
            case 2 -> path = "/" + topic + "/0?" + pick(List.of("from=-5&to=10", "from=abc&to=10", "from=50&to=10", "from=0&to=9223372036854775807",
                    "from=9223372036854775807&to=9223372036854775807", "from=0&to=99999999999999999999", "from=1e3&to=2e3",
                    "from=0&to=" + enc("10 OR 1=1"), "from=" + enc("${jndi:ldap://x}") + "&to=1", "from=0&to=-1", "from=0&to=1000000000"));
            case 3 -> {
                method = "POST";
                path = "";
                body = pick(List.of("{", "[]", "\"x\"", "null", "{\"topic\":123}", "{\"topic\":\"bad topic!\"}",
                        "{\"topic\":\"" + topic + "\",\"partitions\":[-1]}", "{\"topic\":\"" + topic + "\",\"from\":10,\"to\":1}",
                        "{\"topic\":\"" + topic + "\",\"unknown\":1}", "[".repeat(5_000), "{\"topic\":\"" + "t".repeat(100_000) + "\"}",
                        "{\"topic\":\"" + topic + "\",\"partitions\":[0],\"from\":0,\"to\":9223372036854775807}",
                        "{\"topic\":\"no-such-topic-" + i + "\"}", "{\"topic\":\"" + topic + "\",\"partitions\":[7]}",
                        "{\"topic\":\"" + topic + "\",\"from\":\"zero\"}", "\u0000\u0001\u0002", "{\"topic\":null}"));
                if (random.nextInt(5) == 0) {
                    contentType = pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "image/png"));
                }
            }
            case 4 -> {
                String id = pick(List.of(UUID.randomUUID().toString(), "not-an-id", "%00", "x".repeat(500)));
                int m = random.nextInt(3);
                method = List.of("GET", "DELETE", "POST").get(m);
                path = "/" + (id.contains("%") ? id : enc(id)) + (m == 2 ? "/redrive" : "");
            }
            case 5 -> {
                method = pick(List.of("PUT", "PATCH", "DELETE"));
                path = pick(List.of("/" + topic + "/0?from=0&to=10", "", "/ledger"));
                body = "{}";
            }
            case 6 -> path = "/ledger?" + pick(List.of("since=yesterday", "partition=1", "topic=bad%20topic", "topic=" + topic + "&partition=-1",
                    "topic=" + topic + "&partition=x", "since=-99999999999999999999", "topic=" + topic + "&since=2026-13-45T99:99:99Z"));
            case 7 -> {
                StringBuilder p = new StringBuilder();
                int depth = 3 + random.nextInt(3);
                for (int s = 0; s < depth; s++) {
                    p.append("/x").append(enc(randomText(1 + random.nextInt(20))));
                }
                path = p.toString();
                method = pick(List.of("GET", "POST", "DELETE"));
            }
            default -> {
                // Valid requests except for the credentials.
                path = "/" + topic + "/0?from=0&to=10";
                return withAuth(HttpRequest.newBuilder(URI.create(base + path)), random.nextBoolean() ? "Basic dXNlcjpwYXNz" : "Bearer wrong-" + i)
                        .GET().timeout(Duration.ofSeconds(30)).build();
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (random.nextInt(10) == 0) {
            // No token at all.
        } else {
            withAuth(b, "Bearer " + API_TOKEN);
        }
        if (body != null) {
            b.header("Content-Type", contentType);
            b.method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private static HttpRequest.Builder withAuth(HttpRequest.Builder b, String value) {
        return b.header("Authorization", value);
    }

    private List<String> badTopics() {
        return List.of("a b", "x".repeat(300), "<script>alert(1)</script>", "tøpic", "no-such-topic-" + random.nextInt(1000), "a/b",
                "%", "\u0000", "t;DROP TABLE", "${jndi:ldap://127.0.0.1/x}");
    }

    private String randomText(int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : 0x80 + random.nextInt(0x700)));
        }
        return s.toString();
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- machinery ----

    private Map<String, String> bridgeProps(String topic) {
        return bridgeProps(topic, FIREHOSE_PORT);
    }

    /** The bridge's settings for a run on {@code topic} (its own group, dead-letter and ledger topics) against a local endpoint. */
    static Map<String, String> bridgeProps(String topic, int firehosePort) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.profile", "local");
        props.put("bridge.delivery.endpoint", "http://127.0.0.1:" + firehosePort);
        props.put("bridge.delivery.max-in-flight-bytes", Long.toString(IN_FLIGHT_BYTES));
        props.put("mp.messaging.incoming.clicks.topic", topic);
        props.put("mp.messaging.incoming.clicks.group.id", topic + "-bridge");
        props.put("mp.messaging.outgoing.dead-letters.topic", topic + "-dlq");
        props.put("bridge.reconcile.ledger.topic", topic + "-ledger");
        props.put("bridge.reconcile.jobs.topic", topic + "-jobs");
        // Every missing range listed, so that dead-lettered offsets can be told from lost ones exactly.
        props.put("bridge.reconcile.max-listed-ranges", "1000000");
        // -Dfaults.bridge.props="key=value ..." runs every bridge of the suite with changed settings (to compare them).
        for (String setting : System.getProperty("faults.bridge.props", "").trim().split("\\s+")) {
            int eq = setting.indexOf('=');
            if (eq > 0) {
                props.put(setting.substring(0, eq), setting.substring(eq + 1));
            }
        }
        return props;
    }

    /** A fresh input topic (6 partitions) and its dead-letter topic, both allowing 4 MiB messages. */
    private String topic(String name) throws Exception {
        return createTopics("faults-" + name + "-" + run);
    }

    /** Creates {@code topic} (6 partitions) and its dead-letter topic, both allowing 4 MiB messages. */
    static String createTopics(String topic) throws Exception {
        Map<String, String> big = Map.of("max.message.bytes", Integer.toString(4 * 1024 * 1024));
        Topics.create(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(big), new NewTopic(topic + "-dlq", 1, (short) 1).configs(big)));
        return topic;
    }

    private List<byte[]> clicks(int count) {
        io.firehosebridge.testing.DemoClicks demo = new io.firehosebridge.testing.DemoClicks(seed);
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(bytes(demo.next(Instant.now())));
        }
        return values;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void faults(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FIREHOSE_PORT + "/_local/streams/clicks/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + BRIDGE_HTTP + path)).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Double> metrics() throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : get("/q/metrics").body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            values.merge(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
        return values;
    }

    private static double delivered() throws Exception {
        return metrics().getOrDefault("bridge_records_delivered_total", 0.0);
    }

    /** Records delivered per second over the next {@code seconds}. */
    private static double deliveredRate(int seconds) throws Exception {
        double before = delivered();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        return (delivered() - before) / ((System.nanoTime() - t0) / 1e9);
    }

    private static double rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    private ObjectNode detail(String scenario, Verdict v) {
        ObjectNode d = details.addObject().put("scenario", scenario).put("events", v.events()).put("missingInSearch", v.missingInSearch())
                .put("missingInBackup", v.missingInBackup()).put("failedInSearch", v.failedInSearch())
                .put("duplicatedInSearch", v.duplicatedInSearch()).put("duplicatedInBackup", v.duplicatedInBackup())
                .put("deadLettered", v.deadLettered()).put("deadLettersWithoutReason", v.deadLettersWithoutReason());
        return d;
    }

    private void add(String scenario, Verdict v, String recovery, String bound, boolean ok, ObjectNode detail) {
        detail.put("verdict", ok ? "met" : "NOT met").put("bound", bound);
        rows.add(new Row(scenario, v.events(), v.missing(), v.duplicated(), v.deadLettered(), recovery, bound, ok ? "met" : "NOT met"));
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static final String SCENARIOS = """

            ## What each scenario does

            1. **Crash**: a stream of click events (5,000/s); the bridge is killed with SIGKILL at random moments (1 to 6 s after it
               became live) and restarted each time. Duplicates are bounded per kill by what was in flight (4 MiB in this suite, at
               least ~250 B per enriched event) plus one commit interval (1 s) of acknowledged, uncommitted records. The ledger
               verifier's duplicate repair is on (`bridge.reconcile.repair.verifier=true`, delivery window 30 s, verify interval 5 s):
               the scenario then waits until the index holds no duplicate of the topic, and the recovery column says how long after
               the end of the stream that was. The backup keeps its duplicates (the repair never touches it), so `duplicated`
               still shows what the kills caused.
            2. **Throttling storm**: the stream's record quota is twice the stream rate, then cut to a tenth for 60 s, then restored.
               Recovery is the time from the restore until a one-second delivered rate is back at 90% of the rate before the cut.
            3. **Partial failures**: 30% of the records of every call answered `InternalFailure` for 30 s.
            4. **Firehose endpoint down**: every put call answered 503 for 60 s. RSS and `bridge_inflight_bytes` are sampled every
               second; RSS must stay within +15% of its value 10 s into the outage and in flight within its bound.
            5. **Bad input**: hostile records (not JSON, arrays and scalars, invalid UTF-8, 2 MB and just-over-limit records,
               nesting beyond 20 levels, 1,500-digit numbers, raw control characters, duplicate keys, the reserved `kafka` key,
               empty values, trailing content) shuffled among good events; each must be dead-lettered with its reason, every good
               one delivered, and the bridge must stay the same process, ready.
            6. **API abuse**: generated requests to `/reconciliations` (fuzzed paths, topics, partitions, offsets and huge
               ranges, malformed and hostile bodies and media types, wrong methods, missing or wrong tokens; the token is on).
               Every answer must be a 4xx `application/problem+json` with no stack trace, exception name or secret.
            7. **Kafka broker restart**: `deploy/local/stack down kafka` for 30 s mid-stream, then `up`: readiness must go DOWN
               and come back UP by itself, the process unchanged, nothing lost.
            8. **Search outage**: a delivery stream with a 10 s `RetryOptions.DurationInSeconds`, created on the endpoint
               through the AWS SDK; OpenSearch stopped for 40 s. The failed documents must appear in the backup and in the
               report's `failedInSearch`; a re-drive of each report must make every partition `COMPLETE`.

            9. **Scaling and rolling restarts**: the packaged bridge as several processes in one consumer group (1 MiB in-flight
               bound and batch size), the endpoint shared, 300,000 events at 1,500/s. During the stream: scale 1 -> 3 (two
               replicas started together, as KEDA does), a rolling restart (for each replica: a new one started and ready, then
               the old one SIGTERMed, as a Deployment update with one surge does), a replica added and the oldest one killed
               with SIGKILL while the coordinator reports the group rebalancing, then scale 3 -> 2 -> 1 by SIGTERM (newest
               first). After each event the group must be `Stable` with every partition assigned (the time is the recovery
               column). The judge reconciles, through the running replicas in turn, one offset window per event: the offsets
               produced between the previous event's completion and this one's, where the records a move makes a consumer
               repeat lie. Bound per event: rebalances x consumers in the group x (in-flight bound / 250 B + one commit
               interval, 1 s, of the stream); the window after the last event must have none. With the verifier's repair on (as
               in the crash scenario), row 9.R is the whole stream once the index holds no duplicate, and when that was.

            ## Found by the suite

            - `POST /reconciliations` answered 500 to a body beyond the JSON parser's limits (5,000 nested `[`): the 400 message
              read the parse error's location, which such errors do not have. Fixed; it is a 400 now.
            - A record with a 1,500-digit number was dead-lettered as `too-deep`: every parser limit was taken for the nesting
              limit. Fixed; only nesting gives `too-deep`, the other limits give `not-json` with the parser's message as detail.
            - Not fixed: after a throttling storm the send rate takes longer than 10 s to come back (11.5 s and 17.7 s in two
              runs). `AdaptiveRateLimiter` returns quickly only to the last throttling point (the storm's 10% quota); above it, it
              probes at 2% a second, doubling every 4 s, so a fivefold climb takes ten to twenty seconds. A faster probe after a
              storm is a trade-off against overshoot at a steady quota, so it is left as a design decision.
            - Scaling (9.x): in the full run of 2026-12-01 every event converged (group `Stable`, all 6 partitions assigned) within
              21 s, nothing was lost and no partition stayed unconsumed. Its duplicates (9,300 of 300,000, each event far below its
              bound) came with the events where a replica joined (9.1 to 9.5). The cause: the consumers used the client's default
              (eager) range assignor, so at each rebalance every member gave up all its partitions, and what it had in flight was
              read again by the next owner. The bridge now uses the cooperative-sticky assignor, which moves only the partitions that
              change owner. In `-Dfaults.only=scaling` runs on 2026-12-02, the eager assignor
              (`-Dfaults.bridge.props=mp.messaging.incoming.clicks.partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor`)
              repeated 9,150 records (150 to 3,000 per event); the cooperative one repeated 800 and 2,550 in two runs, at most 750
              for an event without a kill and 1,800 for the SIGKILL during a rebalance (a killed member's uncommitted work is read
              again under either assignor). All three runs lost nothing, and the group was stable again within 12 to 36 s of each
              event either way.
            """;

    private void report() throws IOException {
        StringBuilder table = new StringBuilder();
        table.append("| scenario | events | missing | duplicated | dead-lettered | recovery | bound | verdict |\n");
        table.append("|---|---:|---:|---:|---:|---|---|---|\n");
        for (Row r : rows) {
            table.append("| ").append(r.scenario()).append(" | ").append(fmt(r.events())).append(" | ").append(fmt(r.missing()))
                    .append(" | ").append(fmt(r.duplicated())).append(" | ").append(fmt(r.deadLettered())).append(" | ")
                    .append(r.recovery()).append(" | ").append(r.bound()).append(" | ").append(r.verdict()).append(" |\n");
        }
        System.out.println("\n" + table);
        Path dir = Path.of("target", "faults");
        Files.createDirectories(dir);
        ArrayNode array = results.putArray("table");
        rows.forEach(r -> array.addObject().put("scenario", r.scenario()).put("events", r.events()).put("missing", r.missing())
                .put("duplicated", r.duplicated()).put("deadLettered", r.deadLettered()).put("recovery", r.recovery())
                .put("bound", r.bound()).put("verdict", r.verdict()));
        Files.writeString(dir.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        String md = "# Fault suite\n\nLatest run: " + Instant.now().atOffset(ZoneOffset.UTC).toLocalDate() + ", "
                + results.get("machine").asText() + ", seed " + seed + ".\n"
                + "Command: `./mvnw -Pfaults verify` (default sizes). Raw results: `target/faults/results.json`.\n\n"
                + "The packaged bridge and the local Firehose endpoint (profile `firehose`) run as separate processes next to the real "
                + "local stack, on one machine. Every bridge, the scaling rows' replicas included, has the deployment's JVM settings "
                + "(the command line the JVM image's start script assembles from the Deployment: heap from its 512 MiB memory limit, the "
                + "serial collector, `JAVA_OPTS_APPEND`, `MALLOC_ARENA_MAX`). Each scenario uses "
                + "its own topic (6 partitions), consumer group, dead-letter topic and "
                + "ledger topic. The judge is the bridge's own reconciliation API (`GET /reconciliations/{topic}/{partition}?from=0&to=end` "
                + "for every partition) plus the dead-letter topic: an offset counts as missing when it is absent from the index or the "
                + "backup and not dead-lettered. `missing` is the larger of the two sides, `duplicated` the larger count of extra copies.\n\n"
                + table + SCENARIOS;
        Files.writeString(dir.resolve("faults.md"), md);
        if (System.getProperty("faults.only", "").isBlank()) {
            Files.writeString(Path.of("docs", "reliability.md"), md);
        }
    }
}
