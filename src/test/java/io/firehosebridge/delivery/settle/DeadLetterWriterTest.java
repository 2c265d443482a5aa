package io.firehosebridge.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.Settlement;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** Dead letters leave through their own path: written with their reason and origin, acknowledged only after the broker took them. */
class DeadLetterWriterTest {

    @Test
    void writesAPoisonRecordWithItsReasonThenAcknowledgesIt() {
        List<String> events = new CopyOnWriteArrayList<>();
        List<Message<byte[]>> written = new CopyOnWriteArrayList<>();
        DeliveryMetrics metrics = new DeliveryMetrics(new SimpleMeterRegistry(), "clicks", () -> 0, 1, () -> 0, () -> 1, () -> 1);
        DeadLetterWriter writer = new DeadLetterWriter(m -> {
            written.add(m);
            events.add("written");
            return Uni.createFrom().voidItem();
        }, metrics, Duration.ofSeconds(1));
        PendingRecord poison = new PendingRecord(new KafkaCoordinates("clicks", 1, 7, 0), null, "[1]".getBytes(StandardCharsets.UTF_8),
                DeadLetterReason.NOT_AN_OBJECT, "top-level JSON value is an array", Settlement.of(Message.of("[1]", () -> {
                    events.add("acked");
                    return CompletableFuture.completedFuture(null);
                })));
        writer.write(poison, poison.reason(), poison.detail(), poison.data()).await().atMost(Duration.ofSeconds(5));
        assertThat(events).containsExactly("written", "acked");
        assertThat(written).singleElement().satisfies(m -> {
            assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("[1]");
            OutgoingKafkaRecordMetadata<?> meta = m.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
            assertThat(new String(meta.getHeaders().lastHeader(DeadLetterWriter.REASON).value(), StandardCharsets.UTF_8)).isEqualTo("not-an-object");
            assertThat(new String(meta.getHeaders().lastHeader(DeadLetterWriter.OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("7");
        });
    }
}
