package io.firehosebridge.aws;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.reconcile.SearchAndBackup;
import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.Jobs;
import io.firehosebridge.testing.LocalStack;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * IRSA end to end: the packaged service started with only what EKS's pod identity webhook gives a pod ({@code AWS_ROLE_ARN},
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE}, the region) and the STS endpoint, no static key anywhere, against the stack's parts
 * that check signatures: the local Firehose, the search front (service {@code es}) and the S3 store front. The local STS
 * issues credentials that last 60 s, so the run renews them several times while events stream in; it delivers, reconciles,
 * re-drives and repairs with them, and no call is refused. Then the token file goes away, and then holds a token STS
 * refuses: readiness goes DOWN naming each cause, nothing is committed or dead-lettered; the file is rotated back and the service recovers by
 * itself, delivering everything. Last, a service with a static key AWS does not know waits the same way, and delivers
 * everything once the key is known.
 *
 * <p>{@code -Dit.irsa.seconds=300} makes the streaming phase five minutes (the default, 100 s, keeps {@code -Pe2e} short).
 */
@EndToEnd
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebIdentityIT {

    private static final Logger LOG = Logger.getLogger(WebIdentityIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "irsa-it-token";
    private static final int PORT = FreePorts.next();
    private static final String SERVICE = "http://127.0.0.1:" + PORT;
    private static final int FIREHOSE_PORT = 4573;
    private static final String FIREHOSE_ADMIN = "http://127.0.0.1:" + FIREHOSE_PORT;
    private static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final int STREAM_SECONDS = Integer.getInteger("it.irsa.seconds", 100);
    private static final int EVENTS_PER_SECOND = 100;

    private final String run = "irsa-" + LocalStackResource.RUN;
    private final String topic = "it-clicks-" + run;
    private final String stream = "it-clicks-" + run;
    private final Path tokenFile = Path.of("target", "irsa", "token").toAbsolutePath();
    private final Instant start = Instant.now();
    private final List<Span> spans = new ArrayList<>();
    private String issuedToken;
    private String lifetimeBefore;
    private ServiceProcess service;

    @BeforeAll
    void startTheServiceWithAWebIdentityOnly() throws Exception {
        LocalStackResource.ensureStarted();
        Map<String, String> stack = LocalStack.env();
        issuedToken = Files.readString(Path.of(stack.get("AWS_WEB_IDENTITY_TOKEN_FILE")), StandardCharsets.UTF_8);
        // A copy the test may spoil and rotate, as kubelet rotates the projected token.
        Files.createDirectories(tokenFile.getParent());
        Files.writeString(tokenFile, issuedToken, StandardCharsets.UTF_8);
        lifetimeBefore = admin().get("/_local/sts").then().statusCode(200).extract().path("credentialLifetime");
        admin().contentType("application/json").body("{\"credentialLifetime\":\"" + LIFETIME + "\"}").put("/_local/sts").then().statusCode(204);
        Topics.create(List.of(new NewTopic(topic, 3, (short) 1)));
        LocalStreams.createAndAwaitActive(FIREHOSE_PORT, stream, "clicks", "clicks-backup", 60);

        Map<String, String> properties = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "bridge.aws.credentials.access-key-id", "",
                "bridge.aws.credentials.secret-access-key", "",
                // Credentials that last 60 s: renewed in the background 40 s before they expire, never waited for until 10 s before.
                "bridge.aws.credentials.refresh-before-expiry", "40s",
                "bridge.aws.credentials.block-before-expiry", "10s",
                "bridge.aws.s3-endpoint", stack.get("S3_FRONT_URL"),
                "quarkus.elasticsearch.hosts", URI.create(stack.get("SEARCH_FRONT_URL")).getAuthority(),
                "bridge.search.auth", "aws-sigv4",
                "bridge.delivery.delivery-stream", stream,
                "mp.messaging.incoming.clicks.topic", topic));
        properties.putAll(Map.of(
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + run,
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs",
                "bridge.reconcile.api-token", TOKEN,
                "bridge.reconcile.delivery-window", "20s"));
        service = new ServiceProcess("irsa-bridge", PORT, properties).withEnvironment(Map.of(
                "AWS_ROLE_ARN", stack.get("AWS_ROLE_ARN"),
                "AWS_WEB_IDENTITY_TOKEN_FILE", tokenFile.toString(),
                "AWS_ENDPOINT_URL_STS", stack.get("STS_ENDPOINT"),
                "AWS_REGION", "us-east-1")).start();
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.stop();
        }
        if (lifetimeBefore != null) {
            admin().contentType("application/json").body("{\"credentialLifetime\":\"" + lifetimeBefore + "\"}").put("/_local/sts");
        }
        LocalStreams.requestDelete(FIREHOSE_PORT, stream);
    }

    @Test
    @Order(1)
    void deliversWhileItsCredentialsAreRenewedWithoutARefusedCallOrAStall() throws Exception {
        JsonNode authBefore = auth();
        AtomicBoolean streaming = new AtomicBoolean(true);
        ExecutorService producing = Executors.newSingleThreadExecutor();
        Future<List<Span>> produced = producing.submit(() -> {
            List<Span> written = new ArrayList<>();
            try (ClickProducer producer = new ClickProducer()) {
                long end = System.nanoTime() + Duration.ofSeconds(STREAM_SECONDS).toNanos();
                while (System.nanoTime() < end) {
                    written.addAll(producer.clicks(topic, EVENTS_PER_SECOND / 4));
                    Thread.sleep(250);
                }
            } finally {
                streaming.set(false);
            }
            return written;
        });
        producing.shutdown();
        // The longest time the delivered count stood still while events kept coming.
        long longestPause = 0;
        double last = -1;
        long lastChange = System.nanoTime();
        while (streaming.get()) {
            double delivered = metric("bridge_records_delivered_total");
            long now = System.nanoTime();
            if (delivered != last) {
                if (last >= 0) {
                    longestPause = Math.max(longestPause, now - lastChange);
                }
                last = delivered;
                lastChange = now;
            }
            Thread.sleep(100);
        }
        spans.addAll(Span.merged(produced.get(1, TimeUnit.MINUTES)));
        long total = spans.stream().mapToLong(Span::count).sum();
        awaitEverythingDelivered();

        JsonNode authAfter = auth();
        long issued = authAfter.path("issued").asLong() - authBefore.path("issued").asLong();
        Map<String, Long> refused = refusedSince(authBefore, authAfter);
        LOG.infof("IRSA run: %d events in %d s, %d credentials issued by STS (%s each), refused calls %s, longest pause in delivery %d ms",
                total, STREAM_SECONDS, issued, LIFETIME, refused, TimeUnit.NANOSECONDS.toMillis(longestPause));
        assertThat(refused).as("calls the signature-checking parts refused during the run").isEmpty();
        assertThat(issued).as("credentials issued: one at the start and a renewal every ~20 s")
                .isGreaterThanOrEqualTo(STREAM_SECONDS / 30);
        assertThat(Duration.ofNanos(longestPause)).as("longest pause in delivery").isLessThan(Duration.ofSeconds(5));
        assertThat(metric("bridge_records_dead_lettered_total")).isZero();

        // Reconciliation reads search (signed, through the front) and the backup (signed, through the S3 front) with them.
        JsonPath reconciliation = reconcileAll(total);
        assertThat(reconciliation.getLong("partitions.backup.missingCount.sum()")).isZero();

        // Re-drive: five documents deleted behind the service's back come back.
        Span first = spans.get(0);
        List<Long> gone = List.of(first.from(), first.from() + 1, first.from() + 2, first.from() + 3, first.from() + 4);
        SearchAndBackup.delete(SearchAndBackup.docs(topic, first.partition(), gone));
        JsonPath missing = finished(api().contentType("application/json").body("{\"topic\":\"" + topic + "\"}").post("/reconciliations"));
        assertThat(missing.getLong("partitions.search.missingCount.sum()")).isEqualTo(5);
        JsonPath redrive = finished(api().post("/reconciliations/{id}/redrive", missing.getString("id")));
        assertThat(redrive.getLong("redrive.resent")).isEqualTo(5);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(DeliveredOffsets.inSearch("clicks*", topic).missing(first.partition(), first.from(), first.to())).isZero());

        // Repair: three documents copied behind its back are deleted again.
        List<Long> copied = List.of(first.from() + 10, first.from() + 11, first.from() + 12);
        SearchAndBackup.copy(SearchAndBackup.docs(topic, first.partition(), copied));
        JsonPath[] duplicated = new JsonPath[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            duplicated[0] = reconcileAll(total);
            assertThat(duplicated[0].getLong("partitions.search.duplicated.extraCopies.sum()")).isEqualTo(3);
        });
        JsonPath repair = finished(api().post("/reconciliations/{id}/repair", duplicated[0].getString("id")));
        assertThat(repair.getLong("repair.copiesDeleted")).isEqualTo(3);
        assertThat(refusedSince(authBefore, auth())).as("calls refused, reconciliation, re-drive and repair included").isEmpty();
    }

    @Test
    @Order(2)
    void aTokenFileGoneOrRefusedStopsDeliveryAndCommitsUntilItRotates() throws Exception {
        // The file goes away: once the credentials in hand are past their time (60 s at most), none can be had.
        Files.delete(tokenFile);
        awaitRefused("the credentials' file cannot be read (NoSuchFileException: " + tokenFile + ")", Duration.ofSeconds(90));
        // A token STS does not accept: refused at the next renewal.
        Files.writeString(tokenFile, "eyJhbGciOiJSUzI1NiJ9.c3BvaWx0.c3BvaWx0", StandardCharsets.UTF_8);
        awaitRefused("InvalidIdentityToken", Duration.ofSeconds(60));
        Map<TopicPartition, Long> committedWhenRefused = committed("it-bridge-" + run);
        List<Span> during;
        try (ClickProducer producer = new ClickProducer()) {
            during = producer.clicks(topic, 300);
        }
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(committed("it-bridge-" + run)).as("offsets committed while AWS refuses the service").isEqualTo(committedWhenRefused));
        assertThat(metric("bridge_records_dead_lettered_total")).isZero();
        assertThat(Files.readString(Path.of("target", "irsa-bridge.log"))).contains("AWS refuses the service")
                .contains("AWS_WEB_IDENTITY_TOKEN_FILE");

        Files.writeString(tokenFile, issuedToken, StandardCharsets.UTF_8);
        await("readiness UP after the token file rotated").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(given().baseUri(SERVICE).get("/q/health/ready").statusCode()).isEqualTo(200));
        spans.addAll(during);
        List<Span> all = Span.merged(spans);
        spans.clear();
        spans.addAll(all);
        awaitEverythingDelivered();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committed("it-bridge-" + run)).isEqualTo(ends(topic, 3)));
        assertThat(committedWhenRefused).as("offsets committed before the refusal").isNotEmpty();
        assertThat(metric("bridge_records_dead_lettered_total")).isZero();
    }

    @Test
    @Order(3)
    void aKeyAwsDoesNotKnowStopsDeliveryAndCommitsUntilItIsKnown() throws Exception {
        String keyId = "AKIDUNKNOWN" + Long.toString(System.nanoTime(), 36).toUpperCase(java.util.Locale.ROOT);
        String secret = java.util.UUID.randomUUID().toString();
        String ownTopic = topic + "-unknown-key";
        String group = "it-bridge-unknown-key-" + run;
        int port = FreePorts.next();
        Topics.create(List.of(new NewTopic(ownTopic, 1, (short) 1)));
        List<Span> written;
        try (ClickProducer producer = new ClickProducer()) {
            written = producer.clicks(ownTopic, 200);
        }
        Map<String, String> properties = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "bridge.aws.credentials.access-key-id", keyId,
                "bridge.aws.credentials.secret-access-key", secret,
                "bridge.delivery.delivery-stream", stream,
                "mp.messaging.incoming.clicks.topic", ownTopic,
                "mp.messaging.incoming.clicks.group.id", group,
                "mp.messaging.outgoing.dead-letters.topic", ownTopic + "-dlq",
                "bridge.reconcile.ledger.topic", ownTopic + "-ledger",
                "bridge.reconcile.jobs.topic", ownTopic + "-jobs",
                "bridge.reconcile.api-token", TOKEN));
        String url = "http://127.0.0.1:" + port;
        try (ServiceProcess unknown = new ServiceProcess("unknown-key-bridge", port, properties).start()) {
            await("readiness DOWN naming the refusal").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Response ready = given().baseUri(url).get("/q/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.jsonPath().getString("checks.find { it.name == 'firehose-delivery-stream' }.data.refused"))
                        .startsWith("UnrecognizedClientException");
            });
            await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(committed(group)).as("offsets committed while AWS refuses the key").isEmpty());
            assertThat(metric(url, "bridge_records_dead_lettered_total")).isZero();
            assertThat(metric(url, "bridge_records_retried_total")).as("calls tried again and again").isPositive();
            assertThat(Files.readString(Path.of("target", "unknown-key-bridge.log"))).contains("AWS refuses the service")
                    .contains("bridge.aws.credentials.access-key-id (" + keyId + ")").doesNotContain(secret);

            // The key becomes known (as an access key created in IAM, a moment late): the service recovers by itself.
            admin().contentType("application/json").body("{\"secretAccessKey\":\"" + secret + "\"}").put("/_local/credentials/" + keyId)
                    .then().statusCode(204);
            await("readiness UP once the key is known").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(given().baseUri(url).get("/q/health/ready").statusCode()).isEqualTo(200));
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", ownTopic);
                assertThat(written).allSatisfy(w -> assertThat(search.missing(w.partition(), w.from(), w.to())).isZero());
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(committed(group)).isEqualTo(ends(ownTopic, 1)));
            assertThat(metric(url, "bridge_records_dead_lettered_total")).isZero();
        } finally {
            admin().delete("/_local/credentials/" + keyId);
        }
    }

    /** Readiness DOWN, the delivery stream's check naming this refusal. */
    private static void awaitRefused(String refusal, Duration within) {
        await("readiness DOWN: " + refusal).atMost(within).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Response ready = given().baseUri(SERVICE).get("/q/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.jsonPath().getString("checks.find { it.name == 'firehose-delivery-stream' }.data.refused")).contains(refusal);
        });
    }

    private void awaitEverythingDelivered() {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", topic);
            assertThat(spans).allSatisfy(s -> assertThat(search.missing(s.partition(), s.from(), s.to())).isZero());
        });
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets backup = DeliveredOffsets.inBackup("clicks-backup", topic, start);
            assertThat(spans).allSatisfy(s -> assertThat(backup.missing(s.partition(), s.from(), s.to())).isZero());
        });
    }

    private JsonPath reconcileAll(long total) {
        JsonPath[] job = new JsonPath[1];
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            job[0] = finished(api().contentType("application/json").body("{\"topic\":\"" + topic + "\"}").post("/reconciliations"));
            assertThat(job[0].getLong("partitions.expected.sum()")).isEqualTo(total);
        });
        assertThat(job[0].getLong("partitions.search.missingCount.sum()")).isZero();
        return job[0];
    }

    private static JsonPath finished(Response accepted) {
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String location = URI.create(accepted.header("Location")).getPath();
        JsonPath job = Jobs.awaitEnd(WebIdentityIT::api, location, Duration.ofMinutes(2), Duration.ofMillis(500));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        return job;
    }

    private static RequestSpecification api() {
        return given().baseUri(SERVICE).auth().oauth2(TOKEN);
    }

    private static RequestSpecification admin() {
        return given().baseUri(FIREHOSE_ADMIN);
    }

    /** The local Firehose's counts of issued credentials and of refused calls per part and error code. */
    private static JsonNode auth() throws Exception {
        return JSON.readTree(admin().get("/_local/auth").then().statusCode(200).extract().asString());
    }

    /** Calls refused between two counts, as part/code to count; empty when none was. */
    private static Map<String, Long> refusedSince(JsonNode before, JsonNode after) {
        Map<String, Long> refused = new TreeMap<>();
        after.path("refused").fields().forEachRemaining(part -> part.getValue().fields().forEachRemaining(code -> {
            long n = code.getValue().asLong() - before.path("refused").path(part.getKey()).path(code.getKey()).asLong(0);
            if (n > 0) {
                refused.put(part.getKey() + "/" + code.getKey(), n);
            }
        }));
        return refused;
    }

    private static double metric(String name) {
        return metric(SERVICE, name);
    }

    private static double metric(String service, String name) {
        String metrics = given().baseUri(service).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            Map<TopicPartition, Long> offsets = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).entrySet()) {
                if (e.getValue() != null) {
                    offsets.put(e.getKey(), e.getValue().offset());
                }
            }
            return offsets;
        }
    }

    private static Map<TopicPartition, Long> ends(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> offsets = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> {
                if (info.offset() > 0) {
                    offsets.put(tp, info.offset());
                }
            });
            return offsets;
        }
    }
}
