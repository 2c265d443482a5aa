package io.firehosebridge.reconcile;

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

import io.firehosebridge.demo.DemoClicks;
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
class ReconcileMillionOffsetsTest {

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

        // Measured: a first check with no object summary cached (a new instance of the scanner's cache is not
        // available from here, so read the objects again by clearing it), then a repeated check.
        io.quarkus.arc.Arc.container().instance(BackupScanner.class).get().forgetSummaries();
        for (String run : new String[] { "cold (every backup object read)", "repeated (object summaries cached)" }) {
            System.gc();
            long baseline = heapUsed();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long t0 = System.nanoTime();
            JsonPath r = given().auth().oauth2(ReconciliationTest.TOKEN).queryParam("from", f).queryParam("to", t)
                    .get("/reconciliations/{t}/{p}", topic, PARTITION).then().statusCode(200).extract().jsonPath();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            assertThat(r.getLong("report.expected")).isEqualTo(COUNT);
            assertThat(r.getString("report.status")).isEqualTo("COMPLETE");
            LOG.infof("MEASURED %s: 1,000,000 offsets reconciled in %d ms (server side %d ms); search documents %d in %s; backup objects %d "
                    + "(read %d, cached %d), lines %d; heap used before %d MiB, peak during the call %d MiB (all pools, includes garbage)",
                    run, millis, r.getLong("report.tookMillis"), r.getLong("report.search.scanned.documents"),
                    r.getList("report.search.scanned.indices"), r.getInt("report.backup.scanned.objects"),
                    r.getInt("report.backup.scanned.objectsRead"), r.getInt("report.backup.scanned.objectsFromCache"),
                    r.getLong("report.backup.scanned.lines"), baseline >> 20, peak >> 20);
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
