package io.firehosebridge.delivery.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

class DeliveryBatcherTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    static PendingRecord record(long offset, int size) {
        return new PendingRecord(new KafkaCoordinates("t", 0, offset, 0), null, new byte[size], null, null, Settlement.of(Message.of(offset)));
    }

    private Multi<DeliveryBatch> batches(Multi<PendingRecord> records, int maxRecords, long maxBytes, Duration linger, InFlightBudget budget) {
        return records.plug(r -> new DeliveryBatcher(r, maxRecords, maxBytes, linger, budget, timer));
    }

    @Test
    void splitsAt500Records() {
        Multi<PendingRecord> records = Multi.createFrom().range(0, 1_201).map(i -> record(i, 100));
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofSeconds(10), new InFlightBudget(1L << 30))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        sub.awaitCompletion();
        assertThat(sub.getItems()).extracting(DeliveryBatch::size).containsExactly(500, 500, 201);
        assertThat(sub.getItems().get(1).records().get(0).at().offset()).isEqualTo(500);
    }

    @Test
    void splitsBeforeExceeding4MiB() {
        int size = 1_000_000;
        Multi<PendingRecord> records = Multi.createFrom().range(0, 9).map(i -> record(i, size));
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4L << 20, Duration.ofSeconds(10), new InFlightBudget(1L << 30))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        sub.awaitCompletion();
        assertThat(sub.getItems()).extracting(DeliveryBatch::size).containsExactly(4, 4, 1);
        assertThat(sub.getItems()).allSatisfy(b -> assertThat(b.bytes()).isLessThanOrEqualTo(4L << 20));
    }

    @Test
    void sendsPartialBatchAfterLinger() {
        Multi<PendingRecord> records = Multi.createBy().concatenating().streams(
                Multi.createFrom().range(0, 3).map(i -> record(i, 10)),
                Multi.createFrom().<PendingRecord> nothing());
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofMillis(100), new InFlightBudget(1L << 30))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        sub.awaitItems(1, Duration.ofSeconds(5));
        assertThat(sub.getItems().get(0).size()).isEqualTo(3);
        sub.cancel();
    }

    @Test
    void passesDeadLettersThroughAsTheirOwnBatch() {
        PendingRecord poison = new PendingRecord(new KafkaCoordinates("t", 0, 1, 0), null, "x".getBytes(), DeadLetterReason.NOT_JSON, "x",
                Settlement.of(Message.of("x")));
        Multi<PendingRecord> records = Multi.createFrom().items(record(0, 10), poison, record(2, 10));
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofSeconds(10), new InFlightBudget(1L << 30))
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        sub.awaitCompletion();
        assertThat(sub.getItems()).filteredOn(DeliveryBatch::deadLetter).singleElement()
                .satisfies(b -> assertThat(b.records().get(0).reason()).isEqualTo(DeadLetterReason.NOT_JSON));
        assertThat(sub.getItems()).filteredOn(b -> !b.deadLetter()).flatExtracting(DeliveryBatch::records)
                .extracting(r -> r.at().offset()).containsExactly(0L, 2L);
    }

    @Test
    void stopsPullingRecordsWhileTheInFlightBudgetIsExhausted() {
        AtomicLong requested = new AtomicLong();
        Multi<PendingRecord> records = Multi.createFrom().range(0, 100_000).map(i -> record(i, 1_000))
                .onRequest().invoke(requested::addAndGet);
        InFlightBudget budget = new InFlightBudget(1_000_000);
        List<DeliveryBatch> held = new CopyOnWriteArrayList<>();
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofMillis(50), budget)
                .onItem().invoke(held::add)
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        // Nothing is released: the batcher may hold at most the budget in flight plus what it buffers for it.
        await().atMost(Duration.ofSeconds(5)).until(() -> budget.available() < 500_000);
        long settledRequests = requested.get();
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        assertThat(requested.get()).isEqualTo(settledRequests).isLessThan(3_000);
        assertThat(budget.inFlight()).isLessThanOrEqualTo(1_000_000);

        // Releasing the budget resumes consumption.
        held.forEach(b -> b.release(budget));
        await().atMost(Duration.ofSeconds(5)).until(() -> requested.get() > settledRequests);
        sub.cancel();
    }

    @Test
    void emitsOnlyOnDemandSoCallsInFlightAreBounded() {
        Multi<PendingRecord> records = Multi.createFrom().range(0, 5_000).map(i -> record(i, 10));
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofSeconds(10), new InFlightBudget(1L << 30))
                .subscribe().withSubscriber(AssertSubscriber.create(2));
        sub.awaitItems(2, Duration.ofSeconds(5));
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        assertThat(sub.getItems()).hasSize(2);
        sub.request(100);
        sub.awaitCompletion();
        assertThat(sub.getItems()).hasSize(10);
        assertThat(IntStream.range(0, 10).mapToLong(i -> sub.getItems().get(i).records().get(0).at().offset()).toArray())
                .containsExactly(0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500);
    }

    @Test
    void givesBackTheBudgetOfEmittedBatchesWhenCancelled() {
        InFlightBudget budget = new InFlightBudget(1L << 30);
        Multi<PendingRecord> records = Multi.createFrom().range(0, 2_000).map(i -> record(i, 100));
        // Like a merge cancelled at that moment: it is handed three batches and starts none but the first.
        AssertSubscriber<DeliveryBatch> sub = batches(records, 500, 4 << 20, Duration.ofSeconds(10), budget)
                .subscribe().withSubscriber(AssertSubscriber.create(3));
        sub.awaitItems(3, Duration.ofSeconds(5));
        assertThat(budget.inFlight()).isEqualTo(3 * 500 * 100);
        sub.getItems().get(0).release(budget);
        assertThat(budget.inFlight()).isEqualTo(2 * 500 * 100);
        sub.cancel();
        assertThat(budget.inFlight()).as("bytes of the batches nobody started").isZero();
        // A release that comes after the cancellation's (an inner call cancelled late) gives nothing back twice.
        sub.getItems().forEach(b -> b.release(budget));
        assertThat(budget.inFlight()).isZero();
    }
}
