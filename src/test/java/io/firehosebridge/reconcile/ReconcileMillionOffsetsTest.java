package io.firehosebridge.reconcile;

import io.firehosebridge.reconcile.scan.BackupScanner;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.Reconciler;
import io.firehosebridge.reconcile.scan.ReconciliationStatus;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.firehosebridge.testing.DemoClicks;
import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Measures reconciling 1,000,000 offsets of one partition, delivered through the bridge: time of the
 * first check (every backup object read) and of a repeated one (object summaries cached), and the heap
 * peak meanwhile. Off by default (it delivers a million events): {@code -Dreconcile.million=true}.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
@EnabledIfSystemProperty(named = "reconcile.million", matches = "true")
@io.quarkus.test.junit.TestProfile(ReconcileMillionOffsetsTest.QuietVerifier.class)
class ReconcileMillionOffsetsTest {

    /** The verifier stays idle, so it neither competes for the cores nor warms the object cache during the measurement. */
    public static class QuietVerifier implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.reconcile.ledger.verify-interval", "1h");
        }
    }

    private static final Logger LOG = Logger.getLogger(ReconcileMillionOffsetsTest.class);
    private static final int COUNT = 1_000_000;
    private static final int PARTITION = 5;

    @Test
    void reconcilesAMillionOffsetsOfOnePartition() throws Exception {
        String topic = LocalStackResource.TOPIC;
        Instant start = Instant.now();
        long from = -1;
        long to = -1;
        DemoClicks clicks = new DemoClicks(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092", "linger.ms", 20,
                "batch.size", 524_288, "acks", "1", "compression.type", "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> first = null;
            java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> last = null;
            for (int i = 0; i < COUNT; i++) {
                last = producer.send(new ProducerRecord<>(topic, PARTITION, null, clicks.next(Instant.now()).getBytes(StandardCharsets.UTF_8)));
                if (first == null) {
                    first = last;
                }
            }
            producer.flush();
            from = first.get().offset();
            to = last.get().offset() + 1;
        }
        LOG.infof("Produced %d events to partition %d [%d, %d) in %s", COUNT, PARTITION, from, to, Duration.between(start, Instant.now()));
        long f = from;
        long t = to;
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(15)).until(() -> {
            JsonPath r = given().auth().oauth2(ReconciliationTest.TOKEN).queryParam("from", f).queryParam("to", t)
                    .get("/reconciliations/{t}/{p}", topic, PARTITION).then().statusCode(200).extract().jsonPath();
            LOG.infof("... search %d, backup %d of %d", r.getLong("report.search.present"), r.getLong("report.backup.present"), COUNT);
            return "COMPLETE".equals(r.getString("report.status"));
        });
        LOG.infof("All %d delivered after %s", COUNT, Duration.between(start, Instant.now()));

        // Measured twice: cold (no object summary cached: every backup object is read) and repeated (all cached).
        BackupScanner scanner = io.quarkus.arc.Arc.container().instance(BackupScanner.class).get();
        Reconciler reconciler = io.quarkus.arc.Arc.container().instance(Reconciler.class).get();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        scanner.forgetSummaries();
        for (String run : new String[] { "cold (every backup object read)", "repeated (object summaries cached)" }) {
            System.gc();
            long baseline = heapUsed();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            Reconciler.Outcome outcome = reconciler.check(new Reconciler.Range(topic, PARTITION, f, t, t), Reconciler.Progress.NONE);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            PartitionReport r = outcome.report();
            assertThat(r.expected()).isEqualTo(COUNT);
            assertThat(r.status()).isEqualTo(ReconciliationStatus.COMPLETE);
            LOG.infof("MEASURED %s: 1,000,000 offsets reconciled in %d ms; search documents %d in %s; backup objects %d (read %d, cached %d), "
                    + "lines %d; allocated by the check %d MiB; JVM heap used before %d MiB, JVM heap peak during the check %d MiB "
                    + "(whole test JVM: app, Kafka clients, garbage not yet collected)",
                    run, millis, r.search().scanned().documents(), r.search().scanned().indices(), r.backup().scanned().objects(),
                    r.backup().scanned().objectsRead(), r.backup().scanned().objectsFromCache(), r.backup().scanned().lines(),
                    allocated >> 20, baseline >> 20, peak >> 20);
        }
        // And once through HTTP, as a client sees it.
        long t0 = System.nanoTime();
        given().auth().oauth2(ReconciliationTest.TOKEN).queryParam("from", f).queryParam("to", t)
                .get("/reconciliations/{t}/{p}", topic, PARTITION).then().statusCode(200);
        LOG.infof("MEASURED GET /reconciliations/%s/%d?from=%d&to=%d answered in %d ms", topic, PARTITION, f, t, (System.nanoTime() - t0) / 1_000_000);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
