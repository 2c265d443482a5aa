package io.firehosebridge.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.Jobs;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Duplicates made the way production makes them, then repaired: the packaged bridge is killed with
 * SIGKILL mid-stream twice, so records in flight are delivered again; a reconciliation counts the
 * duplicates; a dry run deletes nothing; two repairs started at the same time on two replicas leave
 * exactly one copy of every offset and the S3 backup as it was. Then a re-drive (of offsets whose backup
 * object was removed) adds search copies of offsets already there, and a repair leaves one of each.
 *
 * <p>Ports of its own, free ones picked at the start: the local Firehose endpoint and its process's HTTP port, and one HTTP
 * port for each of the bridge replicas A and B.
 */
@EndToEnd
class RepairIT {

    private static final Logger LOG = Logger.getLogger(RepairIT.class);
    private static final String TOKEN = "repair-it-token";
    private static final int FIREHOSE_PORT = FreePorts.next();
    private static final int FIREHOSE_HTTP = FreePorts.next();
    private static final int A_PORT = FreePorts.next();
    private static final int B_PORT = FreePorts.next();
    private static final String A = "http://127.0.0.1:" + A_PORT;
    private static final String B = "http://127.0.0.1:" + B_PORT;

    private String topic;
    private List<Span> spans;
    private Instant start;

    @Test
    void sigkillDuplicatesAreRepairedToExactlyOneCopyAndTheBackupIsUntouched() throws Exception {
        LocalStackResource.ensureStarted();
        String run = "repair-" + LocalStackResource.RUN;
        topic = "it-clicks-" + run;
        Topics.create(List.of(new NewTopic(topic, 6, (short) 1)));
        Map<String, String> bridgeProps = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "bridge.delivery.endpoint", "http://127.0.0.1:" + FIREHOSE_PORT,
                "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + run,
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs",
                "bridge.reconcile.api-token", TOKEN));
        bridgeProps.put("bridge.reconcile.delivery-window", "20s");
        start = Instant.now();
        try (ServiceProcess firehose = ServiceProcess.localFirehose("repair-firehose", FIREHOSE_HTTP, Map.of("local-firehose.port", Integer.toString(FIREHOSE_PORT))).start();
                ClickProducer producer = new ClickProducer()) {
            ServiceProcess a = new ServiceProcess("repair-bridge-a", A_PORT, bridgeProps).start();
            ServiceProcess b = null;
            spans = new ArrayList<>();
            try {
                // Events stream in on another thread while A is killed twice in the middle of consuming them.
                java.util.concurrent.ExecutorService streaming = java.util.concurrent.Executors.newSingleThreadExecutor();
                java.util.concurrent.Future<List<Span>> produced = streaming.submit(() -> {
                    List<Span> written = new ArrayList<>();
                    for (int round = 0; round < 20; round++) {
                        written.addAll(producer.clicks(topic, 2_000));
                        Thread.sleep(250);
                    }
                    return written;
                });
                streaming.shutdown();
                for (int kill = 0; kill < 2; kill++) {
                    // Mid-stream: this process of A has had records accepted that it may not have committed yet.
                    awaitDelivering(A_PORT);
                    a.kill();
                    LOG.infof("killed bridge A (SIGKILL) mid-stream (%d)", kill + 1);
                    a = new ServiceProcess("repair-bridge-a", A_PORT, bridgeProps).start();
                }
                spans.addAll(produced.get(2, TimeUnit.MINUTES));
                spans = Span.merged(spans);
                long total = spans.stream().mapToLong(Span::count).sum();
                DeliveredOffsets[] search = new DeliveredOffsets[1];
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                    search[0] = DeliveredOffsets.inSearch("clicks*", topic);
                    assertThat(spans).allSatisfy(s -> assertThat(search[0].missing(s.partition(), s.from(), s.to())).isZero());
                });
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                    DeliveredOffsets backup = DeliveredOffsets.inBackup("clicks-backup", topic, start);
                    assertThat(spans).allSatisfy(s -> assertThat(backup.missing(s.partition(), s.from(), s.to())).isZero());
                });
                // Every offset is there, but copies A sends again after its last restart may still be on their way: the count is
                // final once every record the endpoint accepted is in the index.
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    search[0] = DeliveredOffsets.inSearch("clicks*", topic);
                    assertThat(totalCopies(search[0])).as("copies in search against records the endpoint accepted")
                            .isEqualTo((long) metric(FIREHOSE_HTTP, "localfirehose_incoming_records_total"));
                });
                long duplicates = spans.stream().mapToLong(s -> search[0].duplicates(s.partition(), s.from(), s.to())).sum();
                LOG.infof("%d events delivered after 2 SIGKILLs; %d extra copies in search", total, duplicates);
                assertThat(duplicates).as("SIGKILL mid-stream re-delivers what was in flight").isPositive();
                b = new ServiceProcess("repair-bridge-b", B_PORT, bridgeProps).start();

                // The reconciliation counts the duplicates exactly.
                JsonPath reconciliation = reconcileAll(A, total);
                assertThat(reconciliation.getLong("partitions.search.duplicated.extraCopies.sum()")).isEqualTo(duplicates);
                String id = reconciliation.getString("id");
                Map<String, Integer> backupBefore = backupCopies();

                // Dry run: the report says what would go, nothing goes.
                JsonPath dry = finished(A, api(A).queryParam("dryRun", "true").post("/reconciliations/{id}/repair", id));
                assertThat(dry.getLong("repair.copiesToDelete")).isEqualTo(duplicates);
                assertThat(dry.getLong("repair.copiesDeleted")).isZero();
                assertThat(totalCopies(DeliveredOffsets.inSearch("clicks*", topic))).isEqualTo(total + duplicates);

                // Two repairs of the same ranges at the same time, on two replicas.
                long t0 = System.nanoTime();
                Response onA = api(A).post("/reconciliations/{id}/repair", id);
                Response onB = api(B).post("/reconciliations/{id}/repair", id);
                JsonPath repairA = finished(A, onA);
                JsonPath repairB = finished(B, onB);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                LOG.infof("two concurrent repairs took %s: A deleted %d (%d changed meanwhile), B deleted %d (%d changed meanwhile)", took,
                        repairA.getLong("repair.copiesDeleted"), repairA.getLong("repair.copiesChanged"), repairB.getLong("repair.copiesDeleted"),
                        repairB.getLong("repair.copiesChanged"));
                assertThat(repairA.getLong("repair.copiesDeleted") + repairB.getLong("repair.copiesDeleted"))
                        .as("each extra copy deleted once, by one of the two").isEqualTo(duplicates);
                assertExactlyOneCopyEach();
                assertThat(backupCopies()).as("the S3 backup is never touched").isEqualTo(backupBefore);

                redriveThenRepair(total);
            } finally {
                a.stop();
                if (b != null) {
                    b.stop();
                }
            }
        }
    }

    /** Offsets whose backup object is gone are re-driven: search gets a second copy of each; a repair leaves one. */
    private void redriveThenRepair(long total) throws Exception {
        // An offset of an object that was delivered twice may have its other backup copy elsewhere; only offsets whose every
        // copy is in the removed object go missing. The smallest object can hold nothing else (a batch re-sent whole after a
        // SIGKILL), so the object removed is the smallest one that leaves something missing, and the count is known exactly.
        Map<String, Integer> copies = backupCopies();
        SearchAndBackup.BackupObject object = null;
        long expectedMissing = 0;
        for (SearchAndBackup.BackupObject candidate : SearchAndBackup.objects(topic, start)) {
            expectedMissing = onlyCopiesIn(candidate, copies);
            if (expectedMissing > 0) {
                object = candidate;
                break;
            }
        }
        assertThat(object).as("a backup object holding the only copy of some offset").isNotNull();
        SearchAndBackup.deleteObject(object.key());
        JsonPath reconciliation = reconcileAll(A, total);
        long removed = reconciliation.getLong("partitions.backup.missingCount.sum()");
        assertThat(removed).as("offsets whose only backup copies were in %s", object.key()).isEqualTo(expectedMissing);
        JsonPath redrive = finished(A, api(A).post("/reconciliations/{id}/redrive", reconciliation.getString("id")));
        assertThat(redrive.getLong("redrive.resent")).isEqualTo(removed);
        JsonPath[] after = new JsonPath[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            after[0] = reconcileAll(A, total);
            assertThat(after[0].getLong("partitions.backup.missingCount.sum()")).isZero();
            assertThat(after[0].getLong("partitions.search.duplicated.extraCopies.sum()")).isEqualTo(removed);
        });
        JsonPath repair = finished(A, api(A).post("/reconciliations/{id}/repair", after[0].getString("id")));
        assertThat(repair.getLong("repair.copiesDeleted")).isEqualTo(removed);
        LOG.infof("re-drove %d offsets (search copies doubled), repair deleted %d", removed, repair.getLong("repair.copiesDeleted"));
        assertExactlyOneCopyEach();
    }

    /** How many offsets have all their backup copies in this one object. */
    private static long onlyCopiesIn(SearchAndBackup.BackupObject object, Map<String, Integer> copies) {
        Map<String, Integer> inObject = new HashMap<>();
        object.offsets().forEach((partition, offsets) -> offsets.forEach(o -> inObject.merge(partition + "/" + o, 1, Integer::sum)));
        return inObject.entrySet().stream().filter(e -> e.getValue().equals(copies.get(e.getKey()))).count();
    }

    private void assertExactlyOneCopyEach() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", topic);
            for (Span s : spans) {
                for (long o = s.from(); o < s.to(); o++) {
                    assertThat(search.copies(s.partition(), o)).as("copies of %d/%d", s.partition(), o).isEqualTo(1);
                }
            }
        });
    }

    /** A reconciliation of every partition up to the group's committed offsets, once they cover everything produced. */
    private JsonPath reconcileAll(String replica, long total) {
        JsonPath[] job = new JsonPath[1];
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            job[0] = finished(replica, api(replica).contentType("application/json").body("{\"topic\":\"" + topic + "\"}").post("/reconciliations"));
            assertThat(job[0].getLong("partitions.expected.sum()")).isEqualTo(total);
        });
        assertThat(job[0].getLong("partitions.search.missingCount.sum()")).isZero();
        return job[0];
    }

    /**
     * Copies of each offset in the backup, from two reads in a row that agree: a read skips an object the store still
     * writes (DeliveredOffsets.inBackup), so one read alone may count fewer copies than the backup holds.
     */
    private Map<String, Integer> backupCopies() throws Exception {
        Map<String, Integer> previous = readBackupCopies();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Thread.sleep(500);
            Map<String, Integer> now = readBackupCopies();
            if (now.equals(previous)) {
                return now;
            }
            assertThat(System.nanoTime()).as("two reads of the backup in a row that agree, within 60 s").isLessThan(deadline);
            previous = now;
        }
    }

    private Map<String, Integer> readBackupCopies() throws Exception {
        DeliveredOffsets backup = DeliveredOffsets.inBackup("clicks-backup", topic, start);
        Map<String, Integer> copies = new HashMap<>();
        for (Span s : spans) {
            for (long o = s.from(); o < s.to(); o++) {
                copies.put(s.partition() + "/" + o, backup.copies(s.partition(), o));
            }
        }
        return copies;
    }

    private long totalCopies(DeliveredOffsets search) {
        long n = 0;
        for (Span s : spans) {
            for (long o = s.from(); o < s.to(); o++) {
                n += search.copies(s.partition(), o);
            }
        }
        return n;
    }

    private static RequestSpecification api(String replica) {
        return given().baseUri(replica).auth().oauth2(TOKEN);
    }

    private static JsonPath finished(String replica, Response accepted) {
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        String location = URI.create(accepted.header("Location")).getPath();
        JsonPath job = Jobs.awaitEnd(() -> api(replica), location, Duration.ofMinutes(3), Duration.ofMillis(500));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        return job;
    }

    /** Waits until the bridge process on this port has had its first thousand records accepted by the endpoint. */
    private static void awaitDelivering(int httpPort) {
        await("bridge on port " + httpPort + " delivering").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> metric(httpPort, "bridge_records_delivered_total") >= 1_000);
    }

    /** The sum of a metric's series on the process at this port. */
    private static double metric(int httpPort, String name) {
        String metrics = given().baseUri("http://127.0.0.1:" + httpPort).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
