package io.firehosebridge.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.reconcile.repair.DuplicateRepair;
import io.firehosebridge.reconcile.repair.RepairReport;
import io.firehosebridge.reconcile.scan.Reconciler;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.Jobs;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.SearchEngineUnderTest;
import io.firehosebridge.testing.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Duplicate repair on the real search cluster, on documents this test writes itself (a topic and two
 * indices of its own, so the copies of each offset are known exactly): offsets ending in 0 have three
 * copies over two indices, offsets ending in 1 two, the rest one; offset 5 of partition 0 also has a copy
 * whose offset is not a number, and a document of another topic carries the same coordinates.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepairTest {

    private static final String TOKEN = ReconciliationTest.TOKEN;
    private static final String TOPIC = "it-repair-" + LocalStackResource.RUN;
    private static final String INDEX_A = "clicks-repair-a-" + LocalStackResource.RUN;
    private static final String INDEX_B = "clicks-repair-b-" + LocalStackResource.RUN;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RepairTest.class);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    DuplicateRepair repair;

    private List<Span> spans;
    private long to;
    private String reconciliation;
    /** Duplicated offsets and extra valid copies the test wrote. */
    private long duplicated;
    private long extra;

    @BeforeAll
    void writeTopicAndCopies() throws Exception {
        LocalStackResource.ensureStarted();
        Topics.create(List.of(new NewTopic(TOPIC, 2, (short) 1)));
        try (ClickProducer producer = new ClickProducer()) {
            List<Span> written = producer.clicks(TOPIC, 600);
            // One job range applies to every partition: the same [0, to) in each.
            to = written.stream().mapToLong(Span::to).min().orElseThrow();
            spans = written.stream().map(s -> new Span(s.partition(), 0, to)).toList();
        }
        assertThat(to).isGreaterThan(100);
        StringBuilder bulk = new StringBuilder();
        for (Span s : spans) {
            for (long o = s.from(); o < s.to(); o++) {
                int copies = o % 10 == 0 ? 3 : o % 10 == 1 ? 2 : 1;
                for (int c = 0; c < copies; c++) {
                    index(bulk, c == 2 ? INDEX_B : INDEX_A, TOPIC, s.partition(), o);
                }
                if (copies > 1) {
                    duplicated++;
                    extra += copies - 1;
                }
            }
        }
        bulk.append(action(INDEX_A))
                .append("{\"page\":\"/bad\",\"kafka\":{\"topic\":\"").append(TOPIC).append("\",\"partition\":0,\"offset\":\"5\"}}\n");
        index(bulk, INDEX_A, TOPIC + "-other", 0, 10);
        index(bulk, INDEX_A, TOPIC + "-other", 0, 10);
        bulkAndRefresh(bulk.toString());
    }

    /** A bulk index action; on engines that need a mapping type (Elasticsearch 6.x) with the tests' TypeName. */
    private static String action(String index) {
        return "{\"index\":{\"_index\":\"" + index + '"' + SearchEngineUnderTest.typeName().map(t -> ",\"_type\":\"" + t + '"').orElse("") + "}}\n";
    }

    private static void index(StringBuilder bulk, String index, String topic, int partition, long offset) {
        bulk.append(action(index)).append("{\"page\":\"/p\",\"kafka\":{\"topic\":\"").append(topic)
                .append("\",\"partition\":").append(partition).append(",\"offset\":").append(offset).append(",\"timestamp\":1}}\n");
    }

    @Test
    @Order(1)
    void reconciliationCountsTheDuplicates() {
        JsonPath job = finished(given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"topic\":\"" + TOPIC + "\",\"from\":0,\"to\":" + to + "}").post("/reconciliations"));
        reconciliation = job.getString("id");
        assertThat(job.getLong("partitions.search.duplicated.offsets.sum()")).as("duplicated offsets, the invalid copy of offset 5 included")
                .isEqualTo(duplicated + 1);
        assertThat(job.getLong("partitions.search.duplicated.extraCopies.sum()")).isEqualTo(extra + 1);
        assertThat(job.getLong("partitions.search.missingCount.sum()")).isZero();
    }

    @Test
    @Order(2)
    void refusesWhatCannotBeRepaired() {
        Response unauthorized = given().post("/reconciliations/{id}/repair", reconciliation);
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        Response badFlag = given().auth().oauth2(TOKEN).queryParam("dryRun", "maybe").post("/reconciliations/{id}/repair", reconciliation);
        assertThat(badFlag.statusCode()).isEqualTo(400);
        assertThat(badFlag.jsonPath().getString("detail")).contains("dryRun");
        assertThat(given().auth().oauth2(TOKEN).post("/reconciliations/{id}/repair", "no-such-job").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void dryRunReportsWhatItWouldDeleteAndDeletesNothing() throws Exception {
        long before = documents(TOPIC);
        JsonPath job = finished(given().auth().oauth2(TOKEN).queryParam("dryRun", "true").post("/reconciliations/{id}/repair", reconciliation));
        LOG.infof("dry-run repair job: %s", job.prettify());
        assertThat(job.getString("kind")).isEqualTo("REPAIR");
        assertThat(job.getBoolean("repair.dryRun")).isTrue();
        assertThat(job.getString("repair.source")).isEqualTo(reconciliation);
        assertThat(job.getLong("repair.duplicatedOffsets")).isEqualTo(duplicated);
        assertThat(job.getLong("repair.copiesToDelete")).isEqualTo(extra);
        assertThat(job.getLong("repair.copiesDeleted")).isZero();
        assertThat(job.getLong("repair.copiesInvalid")).as("the copy of offset 5 whose offset is not a number").isEqualTo(1);
        assertThat(documents(TOPIC)).isEqualTo(before);
        // A repair job is not a reconciliation: it cannot itself be repaired.
        assertThat(given().auth().oauth2(TOKEN).post("/reconciliations/{id}/repair", job.getString("id")).statusCode()).isEqualTo(409);
    }

    @Test
    @Order(4)
    void repairLeavesExactlyOneCopyOfEveryOffsetAndTheKeptOneIsTheSmallest() throws Exception {
        double removedBefore = removedMetric();
        JsonPath job = finished(given().auth().oauth2(TOKEN).post("/reconciliations/{id}/repair", reconciliation));
        LOG.infof("repair job: %s", job.prettify());
        assertThat(job.getBoolean("repair.dryRun")).isFalse();
        assertThat(job.getLong("repair.copiesDeleted")).isEqualTo(extra);
        assertThat(job.getLong("repair.copiesKept")).isEqualTo(duplicated);
        List<Map<String, Object>> listed = job.getList("repair.offsets");
        assertThat(listed).isNotEmpty();
        for (int i = 0; i < listed.size(); i++) {
            String kept = job.getString("repair.offsets[" + i + "].kept.index") + "/" + job.getString("repair.offsets[" + i + "].kept.id");
            for (Map<String, String> e : job.<Map<String, String>>getList("repair.offsets[" + i + "].extra")) {
                assertThat(kept).isLessThan(e.get("index") + "/" + e.get("id"));
            }
        }
        assertThat(removedMetric() - removedBefore).isEqualTo(extra);
        JsonPath again = finished(given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"topic\":\"" + TOPIC + "\",\"from\":0,\"to\":" + to + "}").post("/reconciliations"));
        assertThat(again.getLong("partitions.search.missingCount.sum()")).as("no offset lost its last copy").isZero();
        assertThat(again.getLong("partitions.search.duplicated.offsets.sum()")).as("only offset 5 with its invalid copy").isEqualTo(1);
        assertThat(documents(TOPIC + "-other")).as("another topic's documents are never touched").isEqualTo(2);
        assertThat(offsetCopies(0, 5)).as("the copy without valid coordinates is left").isEqualTo(2);
    }

    /** Two repairs of the same range at the same time, each with its own listing: every offset keeps exactly one copy. */
    @Test
    @Order(5)
    void twoRepairsAtTheSameTimeStillLeaveExactlyOneCopy() throws Exception {
        StringBuilder bulk = new StringBuilder();
        long injected = 0;
        for (Span s : spans) {
            for (long o = s.from(); o < s.to(); o += 3) {
                index(bulk, o % 2 == 0 ? INDEX_A : INDEX_B, TOPIC, s.partition(), o);
                injected++;
            }
        }
        bulkAndRefresh(bulk.toString());
        List<CompletableFuture<RepairReport>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(CompletableFuture.supplyAsync(() -> {
                RepairReport total = RepairReport.none(null, false);
                for (Span s : spans) {
                    total = total.plus(repair.repair(new Reconciler.Range(TOPIC, s.partition(), s.from(), s.to(), s.to()), null, false, () -> false,
                            n -> {
                            }), 10);
                }
                return total;
            }));
        }
        RepairReport a = running.get(0).get(2, TimeUnit.MINUTES);
        RepairReport b = running.get(1).get(2, TimeUnit.MINUTES);
        assertThat(a.copiesDeleted() + b.copiesDeleted()).as("each extra copy deleted once, by one of them").isEqualTo(injected);
        refresh();
        for (Span s : spans) {
            Map<Long, Integer> copies = copiesByOffset(s.partition());
            for (long o = s.from(); o < s.to(); o++) {
                int expected = s.partition() == 0 && o == 5 ? 2 : 1;
                assertThat(copies.getOrDefault(o, 0)).as("copies of %d/%d", s.partition(), o).isEqualTo(expected);
            }
        }
    }

    private static JsonPath finished(Response accepted) {
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String location = URI.create(accepted.header("Location")).getPath();
        JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), location, Duration.ofMinutes(2), Duration.ofMillis(300));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        return job;
    }

    private static double removedMetric() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("bridge_reconcile_repair_copies_removed_total")).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long documents(String topic) throws Exception {
        String query = "{\"query\":{\"term\":{\"kafka.topic\":\"" + topic + "\"}}}";
        return JSON.readTree(send("POST", "/" + INDEX_A + "," + INDEX_B + "/_count", query)).path("count").asLong();
    }

    private static long offsetCopies(int partition, long offset) throws Exception {
        return copiesByOffset(partition).getOrDefault(offset, 0);
    }

    private static Map<Long, Integer> copiesByOffset(int partition) throws Exception {
        String query = "{\"size\":10000,\"_source\":[\"kafka.offset\"],\"query\":{\"bool\":{\"filter\":[{\"term\":{\"kafka.topic\":\"" + TOPIC
                + "\"}},{\"term\":{\"kafka.partition\":" + partition + "}}]}}}";
        Map<Long, Integer> copies = new HashMap<>();
        for (JsonNode hit : JSON.readTree(send("POST", "/" + INDEX_A + "," + INDEX_B + "/_search", query)).path("hits").path("hits")) {
            copies.merge(hit.path("_source").path("kafka").path("offset").asLong(), 1, Integer::sum);
        }
        return copies;
    }

    private static void bulkAndRefresh(String body) throws Exception {
        JsonNode answer = JSON.readTree(send("POST", "/_bulk", body));
        assertThat(answer.path("errors").asBoolean()).as(answer.toString()).isFalse();
        refresh();
    }

    private static void refresh() throws Exception {
        send("POST", "/" + INDEX_A + "," + INDEX_B + "/_refresh", "");
    }

    private static String send(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + path))
                .header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return r.body();
    }
}
