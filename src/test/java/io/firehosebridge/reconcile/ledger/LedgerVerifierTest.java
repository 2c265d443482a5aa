package io.firehosebridge.reconcile.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.reconcile.SearchAndBackup;
import io.firehosebridge.reconcile.SearchAndBackup.Doc;
import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.LocalStackResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.common.annotation.Identifier;

/**
 * The ledger verifier with its duplicate repair on, on the real stack and the real delivery path, in the three ways a
 * record gets a second copy after its span was sent: a re-send the ledger records into a span already confirmed, a repair
 * stopped halfway (as a kill stops it), and a send the ledger never heard of by the partition's former owner that lands after
 * the partition moved here. Each ends with exactly one document per offset and the span confirmed. The verifier's timer is
 * off (an hour): the test runs its checks, so each step happens in a known order.
 */
@QuarkusTest
@TestProfile(LedgerVerifierTest.RepairingVerifier.class)
class LedgerVerifierTest {

    static final String TOPIC = "it-verifier-clicks-" + LocalStackResource.RUN;
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration WINDOW = Duration.ofSeconds(3);
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    /** This class's own input, dead-letter, ledger and job topics and group; the verifier repairs, checked by hand. */
    public static class RepairingVerifier implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnTopics.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** The local stack as every test has it, with topics of this class alone. */
    public static class OwnTopics implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = LocalStackResource.withOwnTopics(TOPIC, 1);
            config.putAll(Map.of(
                    "bridge.reconcile.repair.verifier", "true",
                    "bridge.reconcile.repair.bulk-size", "5",
                    "bridge.reconcile.delivery-window", WINDOW.toSeconds() + "s",
                    "bridge.reconcile.ledger.verify-interval", "1h",
                    "bridge.reconcile.ledger.recheck-interval", "1s"));
            return config;
        }

        @Override
        public void stop() {
        }
    }

    @Inject
    LedgerVerifier verifier;

    @Inject
    DeliveryLedger ledger;

    @Inject
    @Identifier(PartitionOwnership.NAME)
    PartitionOwnership ownership;

    @Inject
    MeterRegistry registry;

    @Test
    void aResendTheLedgerRecordsIntoAConfirmedSpanIsRepaired() throws Exception {
        Span span = deliver(40);
        awaitConfirmed(span);

        List<Doc> firstCopies = SearchAndBackup.docs(TOPIC, 0, offsets(span));
        SearchAndBackup.copy(firstCopies);
        ledger.accepted(coordinates(span), Instant.now(), false);
        ledger.flush();
        assertThat(copies(span)).isEqualTo(2 * span.count());

        awaitOneCopyEachAndConfirmed(span);
        assertThat(spansOf(span)).as("the first send and the re-send").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(e -> assertThat(e.duplicatedInSearch()).isZero());
    }

    @Test
    void aRepairStoppedHalfwayLeavesItsSpansOpenAndTheNextCheckFinishesIt() throws Exception {
        Span span = deliver(40);
        awaitConfirmed(span);
        SearchAndBackup.copy(SearchAndBackup.docs(TOPIC, 0, offsets(span)));
        Instant resent = Instant.now();
        ledger.accepted(coordinates(span), resent, false);
        ledger.flush();
        awaitDue(resent);

        // Stopped as a kill or shutdown stops it: once the first bulk delete (5 copies) went through.
        double removedBefore = removed();
        BooleanSupplier afterFirstDelete = () -> removed() > removedBefore;
        verifier.verifyDue(afterFirstDelete);

        long left = copies(span);
        assertThat(removed() - removedBefore).isEqualTo(5.0);
        assertThat(left).as("copies after a repair stopped after its first bulk delete").isEqualTo(2 * span.count() - 5);
        assertThat(spansOf(span)).as("no verdict is written for a check that was stopped")
                .anySatisfy(e -> assertThat(e.status()).isEqualTo(LedgerEntry.Status.UNVERIFIED));

        awaitOneCopyEachAndConfirmed(span);
    }

    @Test
    void aSendTheLedgerNeverHeardOfByTheFormerOwnerIsRepairedAfterThePartitionMovedHere() throws Exception {
        Span span = deliver(40);
        await().atMost(PATIENCE).until(() -> committed() >= span.to());
        verifier.verifyDue(); // this replica sees the commit of these offsets
        // Past the span's delivery window: checked now, it would be confirmed (no second copy has landed yet).
        awaitDue(ledger.latestSent(TOPIC, 0, span.from(), span.to()));

        // The partition moves to another consumer (here: of this replica) before that check: the commits seen so far no longer count.
        Object newOwner = new Object();
        ownership.assigned(newOwner, List.of(TP));
        verifier.verifyDue();
        assertThat(spansOf(span)).as("not checked before a window has passed since the move")
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(LedgerEntry.Status.UNVERIFIED));

        // Now the former owner's send, which its ledger flush never recorded, lands.
        SearchAndBackup.copy(SearchAndBackup.docs(TOPIC, 0, offsets(span)));

        awaitOneCopyEachAndConfirmed(span);
        ownership.revoked(newOwner, List.of(TP));
    }

    @Test
    void duplicatesAmongCommittedOffsetsNoSpanCoversAreSweptToo() throws Exception {
        Span before = deliver(5);
        await().atMost(PATIENCE).until(() -> committed() >= before.to());
        verifier.verifyDue(); // the partition has a sweep mark from here on, at or below the earliest span the ledger holds
        assertThat(ledger.sweptTo(TP)).isBetween(0L, before.from());

        // Offsets the group commits without a span: here dead letters. Two copies of each then appear in the index, as when two
        // owners sent them and each was killed before its ledger flush.
        Span uncovered;
        try (ClickProducer producer = new ClickProducer()) {
            uncovered = producer.send(TOPIC, java.util.Collections.nCopies(20, "not a JSON object".getBytes())).get(0);
        }
        Span after = deliver(5); // the dead letters are a hole between two spans
        await().atMost(PATIENCE).until(() -> committed() >= after.to());
        Doc delivered = SearchAndBackup.docs(TOPIC, 0, offsets(before)).get(0);
        List<Doc> copies = new ArrayList<>();
        for (long o = uncovered.from(); o < uncovered.to(); o++) {
            var source = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
            source.put("page", "/swept").putObject("kafka").put("topic", TOPIC).put("partition", 0).put("offset", o).put("timestamp", 1);
            copies.add(new Doc(delivered.index(), delivered.type(), null, o, source));
        }
        SearchAndBackup.copy(copies);
        SearchAndBackup.copy(copies);
        assertThat(copies(uncovered)).isEqualTo(2 * uncovered.count());
        assertThat(spansOf(uncovered)).as("dead letters are in no span").isEmpty();

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            verifier.verifyDue();
            assertThat(copies(uncovered)).isEqualTo(uncovered.count());
        });
        assertThat(SearchAndBackup.docs(TOPIC, 0, offsets(uncovered))).extracting(Doc::offset).doesNotHaveDuplicates();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            verifier.verifyDue();
            assertThat(ledger.sweptTo(TP)).as("the sweep mark, once the later span is settled").isGreaterThanOrEqualTo(after.to());
        });
    }

    @Test
    void mergesRangesThatOneSearchWindowCovers() {
        List<long[]> merged = LedgerVerifier.merged(List.of(new long[] { 0, 9 }, new long[] { 50, 59 }, new long[] { 5000, 5000 }), 100);

        assertThat(merged).extracting(r -> r[0] + ".." + r[1]).containsExactly("0..59", "5000..5000");
    }

    /** Produces records to the topic and waits until the bridge delivered them, the ledger knows them and the group committed them. */
    private Span deliver(int count) throws Exception {
        Span span;
        try (ClickProducer producer = new ClickProducer()) {
            span = producer.clicks(TOPIC, count).get(0);
        }
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(copies(span)).isEqualTo(span.count());
            assertThat(ledger.sentAt(TOPIC, 0, span.to() - 1)).isNotNull();
        });
        return span;
    }

    private void awaitConfirmed(Span span) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            verifier.verifyDue();
            assertThat(spansOf(span)).isNotEmpty().allSatisfy(e -> assertThat(e.status()).isEqualTo(LedgerEntry.Status.CONFIRMED));
        });
    }

    private void awaitOneCopyEachAndConfirmed(Span span) throws Exception {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            verifier.verifyDue();
            assertThat(copies(span)).isEqualTo(span.count());
            assertThat(spansOf(span)).allSatisfy(e -> assertThat(e.status()).isEqualTo(LedgerEntry.Status.CONFIRMED));
        });
        assertThat(SearchAndBackup.docs(TOPIC, 0, offsets(span))).extracting(Doc::offset).doesNotHaveDuplicates();
    }

    private static void awaitDue(Instant sentAt) {
        await().atMost(PATIENCE).until(() -> Instant.now().isAfter(sentAt.plus(WINDOW).plusMillis(200)));
    }

    private List<LedgerEntry> spansOf(Span span) {
        List<LedgerEntry> out = new ArrayList<>();
        ledger.forEach(e -> {
            if (e.topic().equals(TOPIC) && e.first() < span.to() && e.last() >= span.from()) {
                out.add(e);
            }
        });
        return out;
    }

    private static long copies(Span span) throws Exception {
        return SearchAndBackup.docs(TOPIC, 0, offsets(span)).size();
    }

    private static long committed() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            var offset = admin.listConsumerGroupOffsets(TOPIC + "-bridge").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(TP);
            return offset == null ? -1 : offset.offset();
        }
    }

    private double removed() {
        return registry.counter("bridge.reconcile.repair.copies.removed").count();
    }

    private static List<Long> offsets(Span span) {
        return LongStream.range(span.from(), span.to()).boxed().toList();
    }

    private static List<KafkaCoordinates> coordinates(Span span) {
        return LongStream.range(span.from(), span.to()).mapToObj(o -> new KafkaCoordinates(TOPIC, 0, o, 0)).toList();
    }
}
