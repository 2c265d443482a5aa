package io.firehosebridge.search;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;
import io.firehosebridge.testing.SearchEngineUnderTest;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.ElasticsearchDestinationDescription;

/**
 * The field test's own setup, which this project started from: a delivery stream with an Elasticsearch destination,
 * TypeName {@code isc},
 * index {@code interest_service_click2}, {@code NoRotation} and every document backed up to S3. The packaged bridge
 * delivers a topic into it; the documents must be searchable (under type {@code isc} where the engine has types, as
 * Elasticsearch 6.5.4 of the field test does), mapped by the coordinate template, and the reconciliation of every
 * partition must say COMPLETE. Runs against the engine of {@code FHB_SEARCH_ENGINE} (the matrix profile sets it).
 */
@EndToEnd
@QuarkusIntegrationTest
@TestProfile(FieldTestSetupIT.FieldTestProfile.class)
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
class FieldTestSetupIT {

    static final String INDEX = "interest_service_click2";
    static final String TYPE = "isc";
    /**
     * The field test's stream name with this run's: the stack's endpoint outlives the run, so a fixed name would exist
     * already the second time. Deleted after the test.
     */
    static final String STREAM = "interest-service-click-" + LocalStackResource.RUN;
    private static final String TOKEN = "test-reconcile-token";
    private static final int EVENTS = 20_000;
    private static final Logger LOG = Logger.getLogger(FieldTestSetupIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * The bridge delivers to the field test's stream (made by the test) and reconciles its index. The stream is chosen
     * through LocalStackResource's setting: its own {@code bridge.delivery.delivery-stream} would win over this profile's.
     */
    public static class FieldTestProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    LocalStackResource.STREAM_OVERRIDE, STREAM,
                    "bridge.reconcile.index-pattern", INDEX,
                    // A template of its own: the shared cluster's clicks* template stays as the other tests left it.
                    "bridge.reconcile.index-template-name", "kafka-firehose-bridge-field-test");
        }
    }

    @AfterAll
    static void deleteStream() throws InterruptedException {
        LocalStreams.deleteAndAwaitGone(4573, STREAM);
    }

    @Test
    void bridgeDeliversIntoTheFieldTestsIndexAndTypeAndReconciliationSaysComplete() throws Exception {
        SearchEngine engine = SearchEngineUnderTest.engine();
        // Made through the Firehose API as the field test's was (Elasticsearch destination, 1 s buffer for a quick test),
        // before the topic has a record, so the bridge's first put finds it.
        LocalStreams.createAndAwaitActive(4573, STREAM, INDEX, TYPE, "clicks-backup", 300);
        try (FirehoseClient firehose = LocalStreams.client(4573)) {
            ElasticsearchDestinationDescription es = firehose.describeDeliveryStream(b -> b.deliveryStreamName(STREAM))
                    .deliveryStreamDescription().destinations().get(0).elasticsearchDestinationDescription();
            assertThat(es.typeName()).isEqualTo(TYPE);
            assertThat(es.indexName()).isEqualTo(INDEX);
            assertThat(es.indexRotationPeriodAsString()).isEqualTo("NoRotation");
            assertThat(es.s3BackupModeAsString()).isEqualTo("AllDocuments");
        }

        Instant start = Instant.now();
        List<Span> spans;
        try (ClickProducer producer = new ClickProducer()) {
            spans = producer.clicks(LocalStackResource.TOPIC, EVENTS);
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch(INDEX, LocalStackResource.TOPIC);
            DeliveredOffsets backup = DeliveredOffsets.inBackup("clicks-backup", LocalStackResource.TOPIC, start);
            for (Span s : spans) {
                assertThat(search.missing(s.partition(), s.from(), s.to())).as("search, partition %d", s.partition()).isZero();
                assertThat(backup.missing(s.partition(), s.from(), s.to())).as("backup, partition %d", s.partition()).isZero();
            }
        });
        LOG.infof("%s: %,d events in %s and the backup after %s", engine, EVENTS, INDEX, Duration.between(start, Instant.now()));

        // Searchable under the type, where the engine has types: the field test's own query path.
        String path = engine.mappingTypes() ? "/" + INDEX + "/" + TYPE + "/_search" : "/" + INDEX + "/_search";
        // track_total_hits: OpenSearch counts exactly only up to 10,000 otherwise.
        JsonNode answer = post(path, "{\"size\":3,\"track_total_hits\":true,\"query\":{\"term\":{\"kafka.topic\":\"" + LocalStackResource.TOPIC + "\"}}}");
        assertThat(engine.totalHits(answer.path("hits"))).isEqualTo(EVENTS);
        for (JsonNode hit : answer.path("hits").path("hits")) {
            assertThat(hit.path("_index").asText()).isEqualTo(INDEX);
            if (engine.mappingTypes()) {
                assertThat(hit.path("_type").asText()).isEqualTo(TYPE);
            }
        }

        // The coordinate template shaped the index: exact types, under the mapping type on Elasticsearch 6.x.
        JsonNode mappings = get("/" + INDEX + "/_mapping").path(INDEX).path("mappings");
        JsonNode properties = (engine.mappingTypes() ? mappings.path(TYPE) : mappings).path("properties").path("kafka").path("properties");
        assertThat(properties.path("topic").path("type").asText()).as("%s", mappings).isEqualTo("keyword");
        assertThat(properties.path("partition").path("type").asText()).isEqualTo("integer");
        assertThat(properties.path("offset").path("type").asText()).isEqualTo("long");

        for (Span s : spans) {
            JsonPath report = given().auth().oauth2(TOKEN).queryParam("from", s.from()).queryParam("to", s.to())
                    .get("/reconciliations/{topic}/{partition}", LocalStackResource.TOPIC, s.partition()).then().statusCode(200)
                    .extract().jsonPath().setRootPath("report");
            assertThat(report.getString("status")).as("partition %d", s.partition()).isEqualTo("COMPLETE");
            assertThat(report.getLong("search.present")).isEqualTo(s.count());
            assertThat(report.getLong("backup.missingCount")).isZero();
            assertThat(report.getList("search.scanned.indices", String.class)).containsExactly(INDEX);
        }
        LOG.infof("%s: reconciliation of %d partitions COMPLETE", engine, spans.size());

        // The ledger verifier, which reads the same index through the same engine, confirms every span it wrote.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (Span s : spans) {
                List<Map<String, Object>> entries = given().auth().oauth2(TOKEN).queryParam("topic", LocalStackResource.TOPIC)
                        .queryParam("partition", s.partition()).queryParam("since", start.minusSeconds(5).toString())
                        .get("/reconciliations/ledger").then().statusCode(200).extract().jsonPath().getList("entries");
                long covered = 0;
                for (Map<String, Object> e : entries) {
                    assertThat(e.get("status")).as("ledger span %s of partition %d", e, s.partition()).isEqualTo("CONFIRMED");
                    covered += ((Number) e.get("last")).longValue() - ((Number) e.get("first")).longValue() + 1;
                }
                assertThat(covered).as("ledger covers partition %d", s.partition()).isEqualTo(s.count());
            }
        });
        LOG.infof("%s: the ledger verifier confirmed every span", engine);
    }

    private static JsonNode post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + path)));
    }

    private static JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
