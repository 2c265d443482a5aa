package io.firehosebridge.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.DemoClicks;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;
import io.firehosebridge.testing.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Three topics read by one service, on the real stack: one routed to a stream that indexes into search with an S3 backup, one
 * to an S3-only stream (GZIP, a Hive-style prefix), one that no route takes and the rule drops. Each route's records land
 * where its stream sends them, each reconciliation looks there and names deletions exactly, the dropped topic's offsets are
 * committed and reported DROPPED, and a throttled stream slows only itself.
 */
@QuarkusTest
@TestProfile(RoutedDeliveryTest.Routed.class)
class RoutedDeliveryTest {

    static final String RUN = LocalStackResource.RUN;
    static final String WEB_TOPIC = "it-routes-web-" + RUN;
    static final String LAKE_TOPIC = "it-routes-lake-" + RUN;
    static final String OTHER_TOPIC = "it-routes-other-" + RUN;
    /** Split by device_os: iOS to the web stream, Android to the lake stream, anything else dropped. */
    static final String MIXED_TOPIC = "it-routes-mixed-" + RUN;
    static final String WEB_STREAM = "it-routes-web-" + RUN;
    static final String LAKE_STREAM = "it-routes-lake-" + RUN;
    /** Under clicks*, where SearchAndBackup finds documents. */
    static final String WEB_INDEX = "clicks-routed-" + RUN;
    static final String LAKE_ROOT = "routes-" + RUN + "/lake/";
    static final String LAKE_PREFIX = LAKE_ROOT + "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";
    static final String TOKEN = "test-reconcile-token";
    private static final int FIREHOSE_PORT = 4573;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Logger LOG = Logger.getLogger(RoutedDeliveryTest.class);

    /** This class's own topics, group, ledger, jobs and two streams; records of any other topic are dropped. */
    public static class Routed implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnStreams.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The local stack as every test has it, three one-partition topics and two streams of this run. */
    public static class OwnStreams implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = LocalStackResource.withOwnTopics(WEB_TOPIC, 1);
            try {
                Topics.create(List.of(new NewTopic(LAKE_TOPIC, 1, (short) 1), new NewTopic(OTHER_TOPIC, 1, (short) 1),
                        new NewTopic(MIXED_TOPIC, 1, (short) 1)));
                LocalStreams.createAndAwaitActive(FIREHOSE_PORT, WEB_STREAM, WEB_INDEX, SearchAndBackup.BUCKET, 300);
                LocalStreams.createS3OnlyAndAwaitActive(FIREHOSE_PORT, LAKE_STREAM, SearchAndBackup.BUCKET, LAKE_PREFIX, LAKE_ROOT + "errors/");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    LocalStreams.requestDelete(FIREHOSE_PORT, WEB_STREAM);
                    LocalStreams.requestDelete(FIREHOSE_PORT, LAKE_STREAM);
                }, "routes-streams-delete"));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot make the routing test's topics and streams", e);
            }
            Map<String, String> routes = new HashMap<>(Map.of(
                    "mp.messaging.incoming.clicks.topic", "it-routes-(web|lake|other|mixed)-" + RUN,
                    "mp.messaging.incoming.clicks.pattern", "true",
                    "bridge.routing.unmatched", "drop",
                    "bridge.routing.routes.web.topics", WEB_TOPIC,
                    "bridge.routing.routes.web.delivery-stream", WEB_STREAM,
                    "bridge.routing.routes.web.index-pattern", WEB_INDEX + "*",
                    "bridge.routing.routes.web.backup-bucket", SearchAndBackup.BUCKET,
                    "bridge.routing.routes.lake.topic-pattern", "it-routes-lake-.*",
                    "bridge.routing.routes.lake.delivery-stream", LAKE_STREAM));
            routes.put("bridge.routing.routes.lake.backup-bucket", SearchAndBackup.BUCKET);
            routes.put("bridge.routing.routes.lake.backup-prefix", LAKE_PREFIX);
            routes.put("bridge.routing.routes.lake.error-output-prefix", LAKE_ROOT + "errors/");
            // The mixed topic: two routes with a field condition, to the same streams (with the same destinations) as above.
            routes.put("bridge.routing.routes.mixed-ios.topics", MIXED_TOPIC);
            routes.put("bridge.routing.routes.mixed-ios.field", "device_os");
            routes.put("bridge.routing.routes.mixed-ios.values", "iOS");
            routes.put("bridge.routing.routes.mixed-ios.delivery-stream", WEB_STREAM);
            routes.put("bridge.routing.routes.mixed-ios.index-pattern", WEB_INDEX + "*");
            routes.put("bridge.routing.routes.mixed-ios.backup-bucket", SearchAndBackup.BUCKET);
            routes.put("bridge.routing.routes.mixed-android.topics", MIXED_TOPIC);
            routes.put("bridge.routing.routes.mixed-android.field", "device_os");
            routes.put("bridge.routing.routes.mixed-android.values", "Android");
            routes.put("bridge.routing.routes.mixed-android.delivery-stream", LAKE_STREAM);
            routes.put("bridge.routing.routes.mixed-android.backup-bucket", SearchAndBackup.BUCKET);
            routes.put("bridge.routing.routes.mixed-android.backup-prefix", LAKE_PREFIX);
            routes.put("bridge.routing.routes.mixed-android.error-output-prefix", LAKE_ROOT + "errors/");
            config.putAll(routes);
            return config;
        }

        @Override
        public void stop() {
        }
    }

    @Test
    void eachTopicGoesWhereItsRouteSaysAndIsReconciledThereAndADroppedTopicIsReportedDropped() throws Exception {
        Instant start = Instant.now();
        // The class's other test shares the service and its meters: this one counts from here.
        double droppedBefore = metric("bridge_records_dropped_total");
        double webBefore = metric("bridge_records_delivered_total{stream=\"" + WEB_STREAM + "\"}");
        double lakeBefore = metric("bridge_records_delivered_total{stream=\"" + LAKE_STREAM + "\"}");
        // Two halves per topic, the second sent once the first landed, so the S3-only stream writes at least two objects.
        for (int half = 0; half < 2; half++) {
            produce(WEB_TOPIC, 30);
            produce(LAKE_TOPIC, 30);
            produce(OTHER_TOPIC, 30);
            awaitStatus(WEB_TOPIC, (half + 1) * 30, "COMPLETE");
            awaitStatus(LAKE_TOPIC, (half + 1) * 30, "COMPLETE");
        }

        JsonPath web = awaitStatus(WEB_TOPIC, 60, "COMPLETE");
        assertThat(web.getList("report.routes")).isEqualTo(List.of(Map.of("route", "web", "deliveryStream", WEB_STREAM, "offsets", 60)));
        assertThat(web.getList("report.checked", String.class)).containsExactly("search", "backup");
        assertThat(web.getList("report.search.scanned.indices", String.class)).containsExactly(WEB_INDEX);
        JsonPath lake = awaitStatus(LAKE_TOPIC, 60, "COMPLETE");
        assertThat(lake.getString("report.routes[0].deliveryStream")).isEqualTo(LAKE_STREAM);
        assertThat(lake.getList("report.checked", String.class)).containsExactly("backup");
        assertThat(lake.getList("report.backup.scanned.prefixes", String.class)).allSatisfy(p -> assertThat(p).startsWith(LAKE_ROOT));

        // The dropped topic: nothing sent anywhere, its offsets committed (the default range ends at the committed offset).
        Response dropped = await().atMost(Duration.ofSeconds(30)).until(
                () -> given().auth().oauth2(TOKEN).get("/reconciliations/{topic}/{partition}", OTHER_TOPIC, 0),
                r -> r.statusCode() == 200 && r.jsonPath().getLong("report.to") == 60);
        assertThat(dropped.jsonPath().getString("report.status")).isEqualTo("DROPPED");
        assertThat(dropped.jsonPath().getList("report.routes")).isEqualTo(List.of(Map.of("route", "dropped", "offsets", 60)));
        assertThat(dropped.jsonPath().getList("report.checked")).isEmpty();
        assertThat(metric("bridge_records_dropped_total") - droppedBefore).isEqualTo(60);
        assertThat(SearchAndBackup.docs(OTHER_TOPIC, 0, List.of(0L, 1L, 59L))).isEmpty();
        assertThat(SearchAndBackup.objects(OTHER_TOPIC, start)).isEmpty();
        assertThat(metric("bridge_records_delivered_total{stream=\"" + WEB_STREAM + "\"}") - webBefore).isEqualTo(60);
        assertThat(metric("bridge_records_delivered_total{stream=\"" + LAKE_STREAM + "\"}") - lakeBefore).isEqualTo(60);

        // Deletions, each named exactly in its own route's report: documents from the web stream's index, an object of the lake's.
        List<SearchAndBackup.Doc> docs = SearchAndBackup.docs(WEB_TOPIC, 0, List.of(5L, 6L, 41L));
        assertThat(docs).hasSize(3);
        SearchAndBackup.delete(docs);
        JsonPath webMissing = reconcile(WEB_TOPIC, 60);
        assertThat(webMissing.getString("report.status")).isIn("INCOMPLETE", "PENDING");
        assertThat(webMissing.getLong("report.search.missingCount")).isEqualTo(3);
        assertThat(webMissing.getList("report.search.missing")).isEqualTo(List.of(List.of(5, 6), List.of(41, 41)));
        assertThat(webMissing.getLong("report.backup.missingCount")).isZero();

        List<SearchAndBackup.BackupObject> objects = SearchAndBackup.objects(LAKE_TOPIC, start);
        assertThat(objects).hasSizeGreaterThanOrEqualTo(2).allSatisfy(o -> assertThat(o.key()).startsWith(LAKE_ROOT).endsWith(".gz"));
        SearchAndBackup.BackupObject victim = objects.get(0);
        List<Long> deleted = victim.offsets().get(0);
        SearchAndBackup.deleteObject(victim.key());
        JsonPath lakeMissing = reconcile(LAKE_TOPIC, 60);
        assertThat(lakeMissing.getLong("report.backup.missingCount")).isEqualTo(deleted.size());
        assertThat(lakeMissing.getList("report.backup.missing")).isEqualTo(SearchAndBackup.fold(deleted).stream()
                .map(r -> List.of(r.get(0).intValue(), r.get(1).intValue())).toList());
        assertThat(reconcile(WEB_TOPIC, 60).getLong("report.backup.missingCount")).as("the other stream's backup is untouched").isZero();

        // A throttled stream slows only itself: the lake stream at 10 records/s, the web stream as it was.
        String quota = faults(LAKE_STREAM, "{\"recordsPerSecond\":10}");
        try {
            long sentAt = System.nanoTime();
            produce(LAKE_TOPIC, 200);
            produce(WEB_TOPIC, 200);
            awaitStatus(WEB_TOPIC, 260, "COMPLETE", 60);
            double webSeconds = (System.nanoTime() - sentAt) / 1e9;
            double lakeDelivered = metric("bridge_records_delivered_total{stream=\"" + LAKE_STREAM + "\"}") - lakeBefore - 60;
            LOG.infof("Lake stream throttled to 10 records/s: the web stream's 200 records complete in %.1f s, the lake stream delivered %.0f of 200 meanwhile",
                    webSeconds, lakeDelivered);
            assertThat(lakeDelivered).as("the throttled stream after %.1f s", webSeconds).isLessThan(200);
            assertThat(webSeconds).as("the web stream's 200 records land while the lake stream is throttled").isLessThan(15);
        } finally {
            faults(LAKE_STREAM, "{\"recordsPerSecond\":" + quota + "}");
        }
        // Once it is no longer throttled, the rest of the lake stream's records arrive too.
        awaitStatus(LAKE_TOPIC, 260, "COMPLETE", 60);
    }

    @Test
    void aTopicSplitByAFieldGoesToTwoStreamsAndIsReconciledOffsetByOffsetWhereEachRecordWent() throws Exception {
        // 40 clicks, their device_os iOS or Android, then two from an OS no route takes: offsets 0..41 in this order.
        List<Long> ios = new ArrayList<>();
        List<Long> android = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            DemoClicks clicks = new DemoClicks(42);
            for (long o = 0; o < 42; o++) {
                String click = clicks.next(Instant.now());
                if (o >= 40) {
                    click = click.replaceFirst("\"device_os\":\"[^\"]*\"", "\"device_os\":\"Windows\"");
                }
                (click.contains("\"device_os\":\"iOS\"") ? ios : click.contains("\"device_os\":\"Android\"") ? android : new ArrayList<Long>()).add(o);
                long offset = producer.send(new ProducerRecord<>(MIXED_TOPIC, 0, null, click.getBytes(StandardCharsets.UTF_8))).get().offset();
                assertThat(offset).isEqualTo(o);
            }
        }
        assertThat(ios).isNotEmpty();
        assertThat(android).isNotEmpty();

        JsonPath complete = awaitStatus(MIXED_TOPIC, 42, "COMPLETE");
        assertThat(complete.getList("report.routes")).containsExactlyInAnyOrder(
                Map.of("route", "mixed-ios", "deliveryStream", WEB_STREAM, "offsets", ios.size()),
                Map.of("route", "mixed-android", "deliveryStream", LAKE_STREAM, "offsets", android.size()),
                Map.of("route", "dropped", "offsets", 2));
        assertThat(complete.getList("report.checked", String.class)).containsExactly("search", "backup");
        assertThat(complete.getLong("report.search.present")).as("the iOS records, indexed").isEqualTo(ios.size());
        assertThat(complete.getLong("report.backup.present")).as("all but the dropped ones, backed up or in the lake").isEqualTo(40);
        List<Long> all = new ArrayList<>();
        for (long o = 0; o < 42; o++) {
            all.add(o);
        }
        assertThat(SearchAndBackup.docs(MIXED_TOPIC, 0, all)).extracting(SearchAndBackup.Doc::offset).containsExactlyInAnyOrderElementsOf(ios);
        assertThat(SearchAndBackup.objects(MIXED_TOPIC, Instant.now().minusSeconds(600)).stream()
                .filter(o -> o.key().startsWith(LAKE_ROOT)).flatMap(o -> o.offsets().get(0).stream()).toList())
                .as("the lake holds the Android records only").containsExactlyInAnyOrderElementsOf(android);

        // One iOS document deleted: named exactly, on the search side; nothing else is missing anywhere.
        SearchAndBackup.delete(SearchAndBackup.docs(MIXED_TOPIC, 0, List.of(ios.get(0))));
        JsonPath missing = reconcile(MIXED_TOPIC, 42);
        assertThat(missing.getLong("report.search.missingCount")).isEqualTo(1);
        assertThat(missing.getList("report.search.missing")).isEqualTo(List.of(List.of(ios.get(0).intValue(), ios.get(0).intValue())));
        assertThat(missing.getLong("report.backup.missingCount")).isZero();
    }

    private static void produce(String topic, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "all",
                "linger.ms", "5"), new ByteArraySerializer(), new ByteArraySerializer())) {
            DemoClicks clicks = new DemoClicks(topic.hashCode());
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, clicks.next(Instant.now()).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    private static JsonPath reconcile(String topic, int to) {
        Response r = given().auth().oauth2(TOKEN).queryParam("from", 0).queryParam("to", to).get("/reconciliations/{topic}/{partition}", topic, 0);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.jsonPath();
    }

    private static JsonPath awaitStatus(String topic, int to, String status) {
        return awaitStatus(topic, to, status, 0);
    }

    /** The report on offsets [from, to) once it has {@code status}. */
    private static JsonPath awaitStatus(String topic, int to, String status, int from) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Response r = given().auth().oauth2(TOKEN).queryParam("from", from).queryParam("to", to).get("/reconciliations/{topic}/{partition}", topic, 0);
            return r.statusCode() == 200 ? r.jsonPath() : null;
        }, r -> r != null && status.equals(r.getString("report.status")) && r.getLong("report.expected") == to - from);
    }

    /** Changes a stream's faults; returns its records quota as it was. */
    private static String faults(String stream, String body) throws Exception {
        String before = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FIREHOSE_PORT + "/_local/streams/" + stream + "/faults"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + FIREHOSE_PORT + "/_local/streams/" + stream + "/faults"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(before).get("recordsPerSecond").asText();
    }

    /** A metric's value: {@code name} summed over its tags, or {@code name{tag="value"}} for the lines with that tag. */
    private static double metric(String selector) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        int brace = selector.indexOf('{');
        String name = brace < 0 ? selector : selector.substring(0, brace);
        String tag = brace < 0 ? "" : selector.substring(brace + 1, selector.length() - 1);
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .filter(l -> tag.isEmpty() || l.substring(0, l.indexOf('}') + 1).contains(tag))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
