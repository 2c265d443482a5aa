package io.firehosebridge.reconcile;

import io.firehosebridge.reconcile.jobs.Redriver;
import io.firehosebridge.reconcile.scan.OffsetRange;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.Jobs;
import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Reconciliation on the real parts: 50,000 events delivered through the running bridge, then documents
 * deleted from the index, a backup object deleted, duplicates injected, and the missing re-driven; each
 * time the report must say exactly what was done to the destinations.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReconciliationTest {

    static final String TOKEN = "test-reconcile-token";
    private static final Logger LOG = Logger.getLogger(ReconciliationTest.class);
    private static final String TOPIC = LocalStackResource.TOPIC;

    private List<Span> spans;
    private Instant start;
    /** Offsets deleted from search, per partition. */
    private final Map<Integer, Set<Long>> deletedFromSearch = new HashMap<>();
    /** Offsets with no backup copy left, per partition (independent count after the object was deleted). */
    private final Map<Integer, Set<Long>> missingFromBackup = new HashMap<>();

    @BeforeAll
    void deliverFiftyThousandEvents() throws Exception {
        start = Instant.now();
        try (ClickProducer producer = new ClickProducer()) {
            spans = producer.clicks(TOPIC, 50_000);
        }
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", TOPIC);
            DeliveredOffsets backup = DeliveredOffsets.inBackup(SearchAndBackup.BUCKET, TOPIC, start);
            for (Span s : spans) {
                assertThat(search.missing(s.partition(), s.from(), s.to())).isZero();
                assertThat(backup.missing(s.partition(), s.from(), s.to())).isZero();
            }
        });
        LOG.infof("50,000 events in search and backup after %s", Duration.between(start, Instant.now()));
    }

    static JsonPath report(Span s) {
        return report(s.partition(), s.from(), s.to());
    }

    static JsonPath report(int partition, long from, long to) {
        Response r = given().auth().oauth2(TOKEN).queryParam("from", from).queryParam("to", to)
                .get("/reconciliations/{topic}/{partition}", TOPIC, partition);
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(200);
        return r.jsonPath();
    }

    @Test
    @Order(1)
    void namesExactlyTheDeletedOffsetsAsMissingOnTheRightSide() throws Exception {
        Span a = spans.get(0);
        Set<Long> deleted = new TreeSet<>();
        for (long o = a.from() + 100; o < a.from() + 150; o++) {
            deleted.add(o);
        }
        deleted.add(a.from() + 1000);
        for (long o = a.from() + 2000; o < a.from() + 2010; o++) {
            deleted.add(o);
        }
        List<SearchAndBackup.Doc> docs = SearchAndBackup.docs(TOPIC, a.partition(), deleted);
        assertThat(docs).extracting(SearchAndBackup.Doc::offset).containsExactlyInAnyOrderElementsOf(deleted);
        SearchAndBackup.delete(docs);
        deletedFromSearch.put(a.partition(), deleted);

        SearchAndBackup.BackupObject object = SearchAndBackup.objects(TOPIC, start).stream().filter(this::holdsThisTestsRecords).findFirst()
                .orElseThrow();
        SearchAndBackup.deleteObject(object.key());
        DeliveredOffsets backup = DeliveredOffsets.inBackup(SearchAndBackup.BUCKET, TOPIC, start);
        for (Span s : spans) {
            Set<Long> gone = new TreeSet<>();
            for (long o = s.from(); o < s.to(); o++) {
                if (backup.copies(s.partition(), o) == 0) {
                    gone.add(o);
                }
            }
            missingFromBackup.put(s.partition(), gone);
        }
        long goneInAll = missingFromBackup.values().stream().mapToLong(Set::size).sum();
        assertThat(goneInAll).as("the deleted object held records of this run").isPositive();
        LOG.infof("Deleted %d documents of partition %d and backup object %s (%d offsets left without a backup copy)", deleted.size(),
                a.partition(), object.key(), goneInAll);

        for (Span s : spans) {
            JsonPath report = report(s).setRootPath("report");
            Set<Long> searchGone = deletedFromSearch.getOrDefault(s.partition(), Set.of());
            Set<Long> backupGone = missingFromBackup.get(s.partition());
            assertThat(report.getLong("expected")).isEqualTo(s.count());
            assertThat(report.getList("search.missing")).as("search, partition %d", s.partition())
                    .isEqualTo(SearchAndBackup.fold(searchGone).stream().map(r -> List.of(r.get(0).intValue(), r.get(1).intValue())).toList());
            assertThat(report.getLong("search.missingCount")).isEqualTo(searchGone.size());
            assertThat(report.getLong("search.present")).isEqualTo(s.count() - searchGone.size());
            assertThat(report.getList("backup.missing")).as("backup, partition %d", s.partition())
                    .isEqualTo(SearchAndBackup.fold(backupGone).stream().map(r -> List.of(r.get(0).intValue(), r.get(1).intValue())).toList());
            assertThat(report.getLong("backup.missingCount")).isEqualTo(backupGone.size());
            assertThat(report.getLong("failedInSearch.count")).isZero();
            assertThat(report.getList("search.scanned.indices", String.class)).contains("clicks");
            assertThat(report.getInt("backup.scanned.objects")).isPositive();
            String status = report.getString("status");
            if (searchGone.isEmpty() && backupGone.isEmpty()) {
                assertThat(status).isEqualTo("COMPLETE");
            } else {
                assertThat(status).isIn("PENDING", "INCOMPLETE");
            }
        }
        // Once the delivery window (15 s in tests) has passed, the gaps are called what they are.
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(report(a).getString("report.status")).isEqualTo("INCOMPLETE"));
        // A second check reads no object again: every summary is cached.
        JsonPath again = report(spans.get(1)).setRootPath("report");
        assertThat(again.getInt("backup.scanned.objectsRead")).isZero();
        assertThat(again.getInt("backup.scanned.objectsFromCache")).isEqualTo(again.getInt("backup.scanned.objects"));
    }

    @Test
    @Order(2)
    void verifierConfirmsDeliveredSpansAndFlagsTheSpanWhoseDocumentsWereDeleted() throws Exception {
        Instant sent = Instant.now();
        List<Span> fresh;
        try (ClickProducer producer = new ClickProducer()) {
            fresh = producer.clicks(TOPIC, 3_000);
        }
        Span victim = fresh.get(0);
        Set<Long> deleted = new TreeSet<>();
        for (long o = victim.from() + 10; o < victim.from() + 20; o++) {
            deleted.add(o);
        }
        // Delete as soon as they are indexed: before their delivery window (15 s) has passed.
        List<SearchAndBackup.Doc> docs = new ArrayList<>();
        await().atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(300)).until(() -> {
            docs.clear();
            docs.addAll(SearchAndBackup.docs(TOPIC, victim.partition(), deleted));
            return docs.size() == deleted.size();
        });
        SearchAndBackup.delete(docs);
        assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(15));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (Span s : fresh) {
                List<Map<String, Object>> entries = given().auth().oauth2(TOKEN)
                        .queryParam("topic", TOPIC).queryParam("partition", s.partition()).queryParam("since", sent.minusSeconds(5).toString())
                        .get("/reconciliations/ledger").then().statusCode(200).extract().jsonPath().getList("entries");
                long covered = 0;
                for (Map<String, Object> e : entries) {
                    long first = ((Number) e.get("first")).longValue();
                    long last = ((Number) e.get("last")).longValue();
                    if (last < s.from() || first >= s.to() || Boolean.TRUE.equals(e.get("redriven"))) {
                        continue;
                    }
                    covered += Math.min(last, s.to() - 1) - Math.max(first, s.from()) + 1;
                    long deletedInside = deleted.stream().filter(o -> o >= first && o <= last).count();
                    if (s.partition() == victim.partition() && deletedInside > 0) {
                        assertThat(e.get("status")).as("span %d..%d", first, last).isEqualTo("MISSING");
                        assertThat(((Number) e.get("missingInSearch")).longValue()).isEqualTo(deletedInside);
                        assertThat(((Number) e.get("missingInBackup")).longValue()).isZero();
                    } else {
                        assertThat(e.get("status")).as("span %d..%d of partition %d", first, last, s.partition()).isEqualTo("CONFIRMED");
                    }
                }
                assertThat(covered).as("ledger covers partition %d", s.partition()).isEqualTo(s.count());
            }
        });
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double unconfirmed = metrics.lines().filter(l -> l.startsWith("bridge_reconcile_unconfirmed_search "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        assertThat(unconfirmed).isGreaterThanOrEqualTo(deleted.size());
        assertThat(metrics).contains("bridge_reconcile_unconfirmed_backup", "bridge_reconcile_unconfirmed_oldest_age_seconds");
        deletedFromSearch.merge(victim.partition(), deleted, (x, y) -> {
            Set<Long> all = new TreeSet<>(x);
            all.addAll(y);
            return all;
        });
        spans = merge(spans, fresh);
    }

    @Test
    @Order(3)
    void countsInjectedDuplicatesExactly() throws Exception {
        Map<Integer, JsonPath> before = new HashMap<>();
        for (Span s : spans) {
            before.put(s.partition(), report(s).setRootPath("report"));
        }
        Span b = spans.get(1);
        Set<Long> copied = new TreeSet<>();
        for (long o = b.from() + 300; o < b.from() + 325; o++) {
            copied.add(o);
        }
        SearchAndBackup.copy(SearchAndBackup.docs(TOPIC, b.partition(), copied));
        List<SearchAndBackup.BackupObject> objects = SearchAndBackup.objects(TOPIC, start).stream().filter(this::holdsThisTestsRecords).toList();
        SearchAndBackup.BackupObject object = objects.get(objects.size() / 2);
        String copyKey = object.key() + "-copy";
        SearchAndBackup.copyObject(object.key(), copyKey);

        for (Span s : spans) {
            JsonPath after = report(s).setRootPath("report");
            long searchExtra = after.getLong("search.duplicated.extraCopies") - before.get(s.partition()).getLong("search.duplicated.extraCopies");
            long backupExtra = after.getLong("backup.duplicated.extraCopies") - before.get(s.partition()).getLong("backup.duplicated.extraCopies");
            assertThat(searchExtra).as("search duplicates, partition %d", s.partition()).isEqualTo(s.partition() == b.partition() ? 25 : 0);
            long copiedLines = object.offsets().getOrDefault(s.partition(), List.of()).stream().filter(o -> o >= s.from() && o < s.to()).count();
            assertThat(backupExtra).as("backup duplicates, partition %d", s.partition()).isEqualTo(copiedLines);
            assertThat(after.getInt("backup.scanned.objectsRead")).isLessThanOrEqualTo(1); // only the copy is new
            if (s.partition() == b.partition()) {
                assertThat(after.getList("search.duplicated.most.offset", Long.class)).isNotEmpty()
                        .allSatisfy(o -> assertThat(copied).contains(o));
            }
        }
    }

    @Test
    @Order(4)
    void reDriveMakesTheNextReportComplete() {
        long resentInAll = 0;
        for (Span s : spans) {
            JsonPath first = report(s);
            if ("COMPLETE".equals(first.getString("report.status"))) {
                continue;
            }
            long missing = Redriver.union(ranges(first, "report.search.missing"), ranges(first, "report.backup.missing")).stream()
                    .mapToLong(OffsetRange::count).sum();
            Response accepted = given().auth().oauth2(TOKEN).post("/reconciliations/{id}/redrive", first.getString("id"));
            assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
            assertThat(accepted.jsonPath().getString("kind")).isEqualTo("REDRIVE");
            assertThat(accepted.jsonPath().getLong("redrive.missing")).isEqualTo(missing);
            String location = accepted.header("Location");
            LOG.infof("re-drive of %s answered %d, Location %s: %s", first.getString("id"), accepted.statusCode(), location, accepted.asString());
            JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), location, Duration.ofSeconds(60), Duration.ofMillis(200));
            LOG.infof("re-drive job when done: %s", job.prettify());
            assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
            assertThat(job.getLong("progress.offsetsChecked")).isEqualTo(missing);
            JsonPath answer = job.setRootPath("redrive");
            assertThat(answer.getString("source")).isEqualTo(first.getString("id"));
            assertThat(answer.getLong("missing")).isEqualTo(missing);
            assertThat(answer.getLong("readFromKafka")).isEqualTo(missing);
            assertThat(answer.getLong("resent")).isEqualTo(missing);
            resentInAll += missing;
        }
        assertThat(resentInAll).isPositive();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (Span s : spans) {
                JsonPath r = report(s).setRootPath("report");
                assertThat(r.getString("status")).as("partition %d after re-drive", s.partition()).isEqualTo("COMPLETE");
                assertThat(r.getLong("search.present")).isEqualTo(s.count());
                assertThat(r.getLong("backup.present")).isEqualTo(s.count());
            }
        });
        LOG.infof("Re-drove %d records; every partition COMPLETE", resentInAll);
    }

    @Test
    @Order(5)
    void jobOverThreePartitionsReportsProgressAndFinishes() {
        Response started = given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"topic\":\"" + TOPIC + "\",\"partitions\":[0,1,2]}").post("/reconciliations");
        assertThat(started.statusCode()).as(started.asString()).isEqualTo(202);
        String location = started.header("Location");
        assertThat(location).contains("/reconciliations/");
        List<Long> checked = new ArrayList<>();
        JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), location, Duration.ofSeconds(90), Duration.ofMillis(100),
                view -> checked.add(view.getLong("progress.offsetsChecked")));
        assertThat(job.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(job.getList("partitions.partition", Integer.class)).containsExactly(0, 1, 2);
        assertThat(job.getInt("progress.partitionsDone")).isEqualTo(3);
        assertThat(job.getLong("progress.offsetsChecked")).isEqualTo(job.getLong("progress.offsets")).isPositive();
        assertThat(job.getLong("progress.objectsChecked")).isPositive();
        assertThat(job.getDouble("progress.percent")).isEqualTo(100.0);
        assertThat(checked).isSorted();
        assertThat(job.getString("status")).isIn("COMPLETE", "INCOMPLETE", "PENDING");

        // A job over all six partitions, cancelled while it runs, stops before its end and says CANCELLED.
        String other = given().auth().oauth2(TOKEN).contentType("application/json")
                .body("{\"topic\":\"" + TOPIC + "\"}").post("/reconciliations").then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> given().auth().oauth2(TOKEN).get(other).then().extract().jsonPath().getString("state"), s -> !"QUEUED".equals(s));
        JsonPath cancelled = given().auth().oauth2(TOKEN).delete(other).then().statusCode(200).extract().jsonPath();
        assertThat(cancelled.getBoolean("cancelRequested")).as("cancel of a running job").isTrue();
        JsonPath end = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), other, Duration.ofSeconds(60), Duration.ofMillis(200));
        assertThat(end.getString("state")).as(end.prettify()).isEqualTo("CANCELLED");
        assertThat(end.getInt("progress.partitionsDone")).as("stopped before its last partition").isLessThan(6);
        assertThat(end.getDouble("progress.percent")).isLessThan(100.0);
    }

    /** Whether the object holds records of this class's spans (and not only those of other test classes). */
    private boolean holdsThisTestsRecords(SearchAndBackup.BackupObject object) {
        return spans.stream().anyMatch(s -> object.offsets().getOrDefault(s.partition(), List.of()).stream()
                .anyMatch(o -> o >= s.from() && o < s.to()));
    }

    private static List<OffsetRange> ranges(JsonPath report, String path) {
        List<List<Number>> raw = report.getList(path);
        return raw.stream().map(r -> new OffsetRange(r.get(0).longValue(), r.get(1).longValue())).toList();
    }

    private static List<Span> merge(List<Span> a, List<Span> b) {
        Map<Integer, Span> out = new java.util.TreeMap<>();
        for (Span s : a) {
            out.put(s.partition(), s);
        }
        for (Span s : b) {
            out.merge(s.partition(), s, (x, y) -> new Span(x.partition(), Math.min(x.from(), y.from()), Math.max(x.to(), y.to())));
        }
        return new ArrayList<>(out.values());
    }
}
