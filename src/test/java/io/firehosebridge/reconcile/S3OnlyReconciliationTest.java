package io.firehosebridge.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.DemoClicks;
import io.firehosebridge.testing.Jobs;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A delivery stream whose only destination is S3 (ExtendedS3, GZIP, a Hive-style timestamp prefix), on the real stack:
 * its records are reconciled from S3 alone, a deleted object's offsets are named exactly, a re-drive sends them again,
 * and no search is involved (no search side in the report, repair refused, readiness not asking the cluster).
 */
@QuarkusTest
@TestProfile(S3OnlyReconciliationTest.S3OnlyStream.class)
class S3OnlyReconciliationTest {

    static final String TOPIC = "it-s3only-clicks-" + LocalStackResource.RUN;
    static final String STREAM = "it-s3only-" + LocalStackResource.RUN;
    static final String ROOT = "s3only-" + LocalStackResource.RUN + "/";
    static final String PREFIX = ROOT + "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";
    static final String ERROR_PREFIX = ROOT + "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/";
    static final String TOKEN = "test-reconcile-token";
    static final int COUNT = 60;
    private static final int FIREHOSE_PORT = 4573;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** This class's own topic, group, ledger, jobs and S3-only delivery stream, and no search destination. */
    public static class S3OnlyStream implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnStream.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The local stack as every test has it, a one-partition topic and an ExtendedS3 stream of this run. */
    public static class OwnStream implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = LocalStackResource.withOwnTopics(TOPIC, 1);
            try {
                LocalStreams.createS3OnlyAndAwaitActive(FIREHOSE_PORT, STREAM, SearchAndBackup.BUCKET, PREFIX, ERROR_PREFIX);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalStreams.requestDelete(FIREHOSE_PORT, STREAM), "s3only-stream-delete"));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot make the S3-only test's topic and stream", e);
            }
            config.putAll(Map.of(
                    "bridge.delivery.delivery-stream", STREAM,
                    "bridge.search.enabled", "false",
                    "bridge.reconcile.backup-bucket", SearchAndBackup.BUCKET,
                    "bridge.reconcile.backup-prefix", PREFIX,
                    "bridge.reconcile.error-output-prefix", ERROR_PREFIX));
            return config;
        }

        @Override
        public void stop() {
        }
    }

    /** As the resource gave it: read back, since the resource may have run with another copy of this class's statics. */
    @ConfigProperty(name = "mp.messaging.incoming.clicks.topic")
    String topic;

    @ConfigProperty(name = "bridge.reconcile.backup-prefix")
    String prefix;

    @Test
    void reconcilesFromS3AloneNamesADeletedObjectsOffsetsAndReDrivesThem() throws Exception {
        String root = prefix.substring(0, prefix.indexOf("year="));
        // Two halves, the second sent once the first is in S3, so that they are two objects and deleting one leaves the other.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            DemoClicks clicks = new DemoClicks(11);
            for (int half = 1; half <= 2; half++) {
                for (int i = 0; i < COUNT / 2; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, null, clicks.next(Instant.now()).getBytes(StandardCharsets.UTF_8))).get();
                }
                awaitComplete(half * COUNT / 2, Duration.ofSeconds(30));
            }
        }

        JsonPath complete = awaitComplete(COUNT, Duration.ofSeconds(30));
        assertThat(complete.getList("report.checked", String.class)).containsExactly("backup");
        assertThat(complete.getMap("report")).doesNotContainKey("search");
        assertThat(complete.getLong("report.backup.present")).isEqualTo(COUNT);
        // Listed per arrival hour: the evaluated prefix down to the hour, and the error prefix down to its error type.
        assertThat(complete.getList("report.backup.scanned.prefixes", String.class)).contains(root + "errors/")
                .anySatisfy(p -> assertThat(p).matches(java.util.regex.Pattern.quote(root) + "year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/"));

        // The objects are GZIP under the evaluated prefix; delete one, its offsets are what the next report names.
        Map<String, List<Long>> objects = objects(root);
        assertThat(objects).hasSizeGreaterThanOrEqualTo(2);
        assertThat(objects.keySet()).allSatisfy(k -> assertThat(k).matches(java.util.regex.Pattern.quote(root)
                + "year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/" + STREAM + "-\\d+-[-0-9]+-[-0-9a-f]+\\.gz"));
        String victim = objects.keySet().stream().min(java.util.Comparator.comparingInt(k -> objects.get(k).size())).orElseThrow();
        List<Long> deleted = objects.get(victim);
        assertThat(deleted).hasSizeLessThan(COUNT);
        try (S3Client s3 = DeliveredOffsets.s3()) {
            s3.deleteObject(b -> b.bucket(SearchAndBackup.BUCKET).key(victim));
        }
        Response incomplete = given().auth().oauth2(TOKEN).queryParam("from", 0).queryParam("to", COUNT)
                .get("/reconciliations/{topic}/{partition}", topic, 0);
        assertThat(incomplete.statusCode()).as(incomplete.asString()).isEqualTo(200);
        JsonPath missing = incomplete.jsonPath();
        assertThat(missing.getString("report.status")).isIn("INCOMPLETE", "PENDING");
        assertThat(missing.getLong("report.backup.missingCount")).isEqualTo(deleted.size());
        assertThat(missing.getList("report.backup.missing")).isEqualTo(SearchAndBackup.fold(deleted).stream()
                .map(r -> List.of(r.get(0).intValue(), r.get(1).intValue())).toList());

        // Repair deletes search duplicates: there is no search destination, so it is refused, clearly.
        Response repair = given().auth().oauth2(TOKEN).post("/reconciliations/{id}/repair", missing.getString("id"));
        assertThat(repair.statusCode()).as(repair.asString()).isEqualTo(409);
        assertThat(repair.contentType()).startsWith("application/problem+json");
        assertThat(repair.jsonPath().getString("detail")).contains("no search destination").contains("S3 only");

        Response accepted = given().auth().oauth2(TOKEN).post("/reconciliations/{id}/redrive", missing.getString("id"));
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        assertThat(accepted.jsonPath().getLong("redrive.missing")).isEqualTo(deleted.size());
        JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), accepted.header("Location"), Duration.ofSeconds(30),
                Duration.ofMillis(200));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        assertThat(job.getLong("redrive.resent")).isEqualTo(deleted.size());

        JsonPath again = awaitComplete(COUNT, Duration.ofSeconds(30));
        assertThat(again.getLong("report.backup.present")).isEqualTo(COUNT);

        // Readiness does not ask the search cluster for a stream without a search destination.
        String health = given().get("/q/health/ready").then().extract().asString();
        assertThat(health).contains("search-access").contains("not checked: the delivery stream has no search destination");
    }

    /** The report of offsets [0, to) once it is COMPLETE. */
    private JsonPath awaitComplete(int to, Duration atMost) {
        return await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            Response r = given().auth().oauth2(TOKEN).queryParam("from", 0).queryParam("to", to)
                    .get("/reconciliations/{topic}/{partition}", topic, 0);
            return r.statusCode() == 200 ? r.jsonPath() : null;
        }, r -> r != null && "COMPLETE".equals(r.getString("report.status")));
    }

    /** This run's objects under the stream's root and the offsets of the topic each holds, read through GZIP. */
    private Map<String, List<Long>> objects(String root) throws Exception {
        Map<String, List<Long>> out = new HashMap<>();
        try (S3Client s3 = DeliveredOffsets.s3()) {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(SearchAndBackup.BUCKET).prefix(root + "year=")).contents()) {
                List<Long> offsets = new ArrayList<>();
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(s3.getObject(b -> b.bucket(SearchAndBackup.BUCKET).key(object.key()))), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        JsonNode kafka = JSON.readTree(line).path("kafka");
                        if (topic.equals(kafka.path("topic").asText())) {
                            offsets.add(kafka.get("offset").asLong());
                        }
                    }
                }
                if (!offsets.isEmpty()) {
                    out.put(object.key(), offsets);
                }
            }
        }
        return out;
    }
}
