package io.firehosebridge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives tests the real local stack (Kafka, OpenSearch, S3Proxy, the local Firehose) through the same launcher people use,
 * and a fresh input topic (6 partitions), dead-letter topic, consumer group and delivery stream for this test run, so
 * runs never see each other's records. The delivery stream ({@link #STREAM}) is made on the stack's local Firehose like
 * its {@code clicks} stream (index {@code clicks}, bucket {@code clicks-backup}), so that a test may set faults on it
 * without touching the {@code clicks} stream that dev mode, the demo and other runs use; it is deleted when the JVM
 * ends, and one a killed run left is deleted by a run a day later. The stack is started once and left running for the
 * next test class; set {@code FHB_STACK_STOP_AFTER_TESTS=true} to stop it when the JVM exits. With {@code FHB_SEARCH_ENGINE}
 * naming another search engine ({@link SearchEngineUnderTest}), the service and the endpoint use that one instead.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = Logger.getLogger(LocalStackResource.class);

    /** Partitions of the per-run input topic. */
    public static final int PARTITIONS = 6;

    /** Identifies this test run in topic and group names. */
    public static final String RUN = Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 6);
    public static final String TOPIC = "it-clicks-" + RUN;
    public static final String DLQ_TOPIC = "it-clicks-dlq-" + RUN;
    /** This run's delivery ledger, so a run never verifies another run's spans. */
    public static final String LEDGER_TOPIC = "it-ledger-" + RUN;
    /** This run's job topic, so a run never sees (or takes over) another run's jobs. */
    public static final String JOBS_TOPIC = "it-jobs-" + RUN;
    /** This run's delivery stream on the stack's local Firehose (4573), into index clicks and bucket clicks-backup. */
    public static final String STREAM = "it-clicks-" + RUN;
    /**
     * The setting a test profile gives to have the service deliver to a stream of its own instead of {@link #STREAM}: a
     * profile's overrides lose to a test resource's, so this resource sets {@code bridge.delivery.delivery-stream} to
     * {@code ${it.delivery-stream:<STREAM>}}.
     */
    public static final String STREAM_OVERRIDE = "it.delivery-stream";
    /** Likewise for {@code bridge.search.auth} (aws-sigv4 unless a profile sets this): a test of what the front refuses. */
    public static final String SEARCH_AUTH_OVERRIDE = "it.search-auth";
    private static final int FIREHOSE_PORT = 4573;
    /** The stack's search front (deploy/local/stack, SEARCH_FRONT_PORT). */
    public static final int SEARCH_FRONT_PORT = 9201;

    private static boolean started;
    private static boolean topicsCreated;
    private static boolean streamCreated;

    @Override
    public synchronized Map<String, String> start() {
        ensureStarted();
        createTopics();
        createStream();
        Map<String, String> config = new HashMap<>(Map.of(
                "bridge.delivery.delivery-stream", "${" + STREAM_OVERRIDE + ":" + STREAM + "}",
                "mp.messaging.incoming.clicks.topic", TOPIC,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + RUN,
                "mp.messaging.outgoing.dead-letters.topic", DLQ_TOPIC,
                "bridge.reconcile.ledger.topic", LEDGER_TOPIC,
                "bridge.reconcile.jobs.topic", JOBS_TOPIC));
        // The service reaches search as it does on AWS: every request signed (SigV4, service es, the stack's key in
        // us-east-1) through the stack's search front, which refuses what a domain with an IAM access policy refuses and
        // passes the rest to whichever engine the stack runs (FHB_SEARCH_ENGINE in a matrix run). The tests' own counts
        // (DeliveredOffsets, SearchAndBackup) still read the engine directly.
        config.put("quarkus.elasticsearch.hosts", "127.0.0.1:" + SEARCH_FRONT_PORT);
        config.put("bridge.search.auth", "${" + SEARCH_AUTH_OVERRIDE + ":aws-sigv4}");
        config.put("bridge.search.aws-service", "es");
        return config;
    }

    /** Usable from plain JUnit tests that need the stack without a Quarkus application. */
    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        SearchEngineUnderTest.stopAtExitIfStartedHere();
        LocalStack.up();
        resetStackClock();
        started = true;
        if (Boolean.parseBoolean(System.getenv("FHB_STACK_STOP_AFTER_TESTS"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(LocalStack::down, "local-stack-down"));
        }
    }

    /**
     * Puts the stack's AWS time back on the machine's when a run that moved it (BridgeDeliveryTest's clock test) was killed
     * before it could: every signature would be refused until then.
     */
    private static void resetStackClock() {
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI clock = URI.create("http://127.0.0.1:" + FIREHOSE_PORT + "/_local/clock");
            String now = http.send(HttpRequest.newBuilder(clock).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (!now.contains("\"offset\":\"PT0S\"")) {
                LOG.warnf("The local stack's AWS time was moved (%s), by a run that ended early: putting it back", now);
                http.send(HttpRequest.newBuilder(clock).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"offset\":\"PT0S\"}")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } catch (IOException e) {
            throw new IllegalStateException("The local Firehose's /_local/clock does not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading the local stack's clock", e);
        }
    }

    private static synchronized void createTopics() {
        if (topicsCreated) {
            return;
        }
        try {
            Topics.create(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1), new NewTopic(DLQ_TOPIC, 1, (short) 1)));
            topicsCreated = true;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the test topics", e);
        }
    }

    private static synchronized void createStream() {
        if (streamCreated) {
            return;
        }
        LocalStreams.deleteRunStreamsOlderThan(FIREHOSE_PORT, Duration.ofDays(1));
        try {
            LocalStreams.createAndAwaitActive(FIREHOSE_PORT, STREAM, "clicks", SearchEngineUnderTest.typeName().orElse(null),
                    "clicks-backup", 300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making the test stream " + STREAM, e);
        }
        streamCreated = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalStreams.requestDelete(FIREHOSE_PORT, STREAM), "local-stream-delete"));
    }

    /**
     * What {@link #start()} gives, with topics of a test class's own instead of this run's: input {@code topic} with
     * {@code partitions} partitions, dead letters to {@code topic-dlq} (both made here), group {@code topic-bridge}, ledger
     * {@code topic-ledger} and jobs {@code topic-jobs}. For a test resource of a class whose data must not mix with others'.
     */
    public static Map<String, String> withOwnTopics(String topic, int partitions) {
        Map<String, String> config = new HashMap<>(new LocalStackResource().start());
        try {
            Topics.create(List.of(new NewTopic(topic, partitions, (short) 1), new NewTopic(topic + "-dlq", 1, (short) 1)));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create topics " + topic + " and " + topic + "-dlq", e);
        }
        config.putAll(Map.of(
                "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", topic + "-bridge",
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs"));
        return config;
    }

    @Override
    public void stop() {
        // Left running on purpose: the next test class (or the failsafe JVM) reuses it.
    }
}
