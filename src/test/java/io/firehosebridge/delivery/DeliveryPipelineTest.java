package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.ingest.RecordsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.RoutingConfig;
import io.firehosebridge.route.Routes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;

/** The pipeline's one assembly, driven through a re-drive (plain JUnit, no Quarkus, no Kafka, a stand-in call). */
class DeliveryPipelineTest {

    private final List<List<PendingRecord>> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger answered = new AtomicInteger();
    private DeliveryPipeline pipeline;

    private DeliveryPipeline pipeline(long maxInFlightBytes, boolean answer) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(DeliveryConfig.class).withMapping(RecordsConfig.class).withMapping(RoutingConfig.class)
                .withDefaultValues(Map.of("bridge.delivery.delivery-stream", "clicks",
                        "bridge.delivery.max-in-flight-bytes", Long.toString(maxInFlightBytes)))
                .build();
        pipeline = new DeliveryPipeline();
        pipeline.config = config.getConfigMapping(DeliveryConfig.class);
        pipeline.recordsConfig = config.getConfigMapping(RecordsConfig.class);
        pipeline.registry = new SimpleMeterRegistry();
        pipeline.routes = Routes.of(config.getConfigMapping(RoutingConfig.class), new Route(Route.DEFAULT, "clicks", Optional.of("clicks*"),
                "clicks-backup", Optional.empty(), Optional.empty()), true, "clicks", false);
        pipeline.putRecordBatch = (PutRecordBatchCall) (stream, records) -> {
            calls.add(records);
            if (!answer) {
                return new CompletableFuture<>();
            }
            answered.incrementAndGet();
            List<PutRecordBatchResponseEntry> entries = new ArrayList<>();
            records.forEach(r -> entries.add(PutRecordBatchResponseEntry.builder().recordId("id").build()));
            return CompletableFuture.completedFuture(PutRecordBatchResponse.builder().failedPutCount(0).requestResponses(entries).build());
        };
        pipeline.start(Multi.createFrom().nothing(), m -> Uni.createFrom().voidItem(), List.of());
        return pipeline;
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(int n) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] value = (i == 3 ? "not json" : "{\"click\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            records.add(new ConsumerRecord<>("clicks", 0, i, null, value));
        }
        return records;
    }

    @Test
    void redrivesInCallsOfAtMost500AndCountsWhatHappened() {
        RedriveResult result = pipeline(32 << 20, true).redrive(records(1_201)).await().atMost(Duration.ofSeconds(10));
        assertThat(result).isEqualTo(new RedriveResult(1_201, 1_200, 1, 0));
        assertThat(calls).extracting(List::size).containsExactly(500, 500, 200);
        assertThat(pipeline.inFlight().inFlightBytes()).isZero();
    }

    @Test
    void pullsNoMoreThanTheInFlightBoundHolds() {
        // Each poll of 500 records is about 45 KB enriched: two fit in 100,000 bytes, a third waits.
        DeliveryPipeline p = pipeline(100_000, false);
        p.redrive(records(10_000)).subscribe().withSubscriber(UniAssertSubscriber.create());
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 2);
        await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        assertThat(calls).hasSize(2);
        assertThat(p.inFlight().inFlightBytes()).isLessThanOrEqualTo(100_000).isPositive();
    }

    @Test
    void aRedriveCancelledMidFlightLeavesTheInFlightBoundAsItWas() {
        DeliveryPipeline p = pipeline(32 << 20, false);
        long bytesBefore = p.inFlight().inFlightBytes();
        int callsBefore = p.inFlight().inFlightCalls();
        UniAssertSubscriber<RedriveResult> redrive = p.redrive(records(1_201)).subscribe().withSubscriber(UniAssertSubscriber.create());
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 3);
        assertThat(p.inFlight().inFlightCalls()).isEqualTo(callsBefore + 3);
        assertThat(p.inFlight().inFlightBytes()).isGreaterThan(bytesBefore);

        redrive.cancel();
        assertThat(p.inFlight().inFlightBytes()).isEqualTo(bytesBefore);
        assertThat(p.inFlight().inFlightCalls()).isEqualTo(callsBefore);
    }
}
