package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

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
import io.smallrye.config.PropertiesConfigSource;
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
    private final Map<String, AtomicInteger> callsTo = new ConcurrentHashMap<>();
    private DeliveryPipeline pipeline;

    private DeliveryPipeline pipeline(long maxInFlightBytes, boolean answer) {
        return pipeline(Map.of("bridge.delivery.max-in-flight-bytes", Long.toString(maxInFlightBytes)), "clicks", stream -> answer);
    }

    /** A pipeline whose stand-in PutRecordBatch answers the calls to the streams {@code answers} names, and leaves the others hanging. */
    private DeliveryPipeline pipeline(Map<String, String> settings, String channelTopic, Predicate<String> answers) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("bridge.delivery.delivery-stream", "clicks");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(DeliveryConfig.class).withMapping(RecordsConfig.class).withMapping(RoutingConfig.class)
                .withSources(new PropertiesConfigSource(all, "test", 100))
                .build();
        pipeline = new DeliveryPipeline();
        pipeline.config = config.getConfigMapping(DeliveryConfig.class);
        pipeline.recordsConfig = config.getConfigMapping(RecordsConfig.class);
        pipeline.registry = new SimpleMeterRegistry();
        pipeline.routes = Routes.of(config.getConfigMapping(RoutingConfig.class), new Route(Route.DEFAULT, "clicks", Optional.of("clicks*"),
                "clicks-backup", Optional.empty(), Optional.empty()), true, channelTopic, !channelTopic.equals("clicks"));
        pipeline.putRecordBatch = (PutRecordBatchCall) (stream, records) -> {
            calls.add(records);
            callsTo.computeIfAbsent(stream, k -> new AtomicInteger()).incrementAndGet();
            if (!answers.test(stream)) {
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

    private static List<ConsumerRecord<byte[], byte[]>> records(String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new ConsumerRecord<>(topic, 0, i, null, ("{\"click\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }

    private static Map<String, String> webAndAppRoutes() {
        return Map.of("bridge.routing.routes.web.topics", "clicks-web", "bridge.routing.routes.web.delivery-stream", "web-clicks",
                "bridge.routing.routes.web.backup-bucket", "web-backup",
                "bridge.routing.routes.app.topics", "clicks-app", "bridge.routing.routes.app.delivery-stream", "app-clicks",
                "bridge.routing.routes.app.backup-bucket", "app-backup",
                "bridge.routing.unmatched", "drop", "bridge.delivery.max-batch-records", "1");
    }

    @Test
    void aStreamThatDoesNotAnswerHoldsOnlyItsOwnCallSlotsAndTheOtherStreamDeliversMeanwhile() {
        DeliveryPipeline p = pipeline(webAndAppRoutes(), "clicks-.*", stream -> !stream.equals("web-clicks"));
        p.redrive(records("clicks-web", 20)).subscribe().withSubscriber(UniAssertSubscriber.create());
        // One record per call: the web stream's lane takes its first calls' slots (8 at first) and waits there.
        await().atMost(Duration.ofSeconds(5)).until(() -> callsTo.containsKey("web-clicks") && callsTo.get("web-clicks").get() == DeliveryPipeline.INITIAL_CALLS);

        RedriveResult app = p.redrive(records("clicks-app", 50)).await().atMost(Duration.ofSeconds(5));
        assertThat(app).isEqualTo(new RedriveResult(50, 50, 0, 0));
        assertThat(callsTo.get("app-clicks").get()).isEqualTo(50);
        assertThat(callsTo.get("web-clicks").get()).as("the silent stream's calls stay within its own slots").isEqualTo(DeliveryPipeline.INITIAL_CALLS);
        assertThat(callsTo).doesNotContainKey("clicks");
    }

    @Test
    void aRedriveSkipsRecordsNoRouteTakes() {
        DeliveryPipeline p = pipeline(webAndAppRoutes(), "clicks-.*", stream -> true);
        RedriveResult redriven = p.redrive(records("clicks-other", 7)).await().atMost(Duration.ofSeconds(5));
        assertThat(redriven).as("a re-drive skips them too").isEqualTo(new RedriveResult(7, 0, 7, 0));
        assertThat(calls).isEmpty();
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
