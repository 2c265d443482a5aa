package io.firehosebridge.delivery.settle;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.observe.DeliveryMetrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import io.firehosebridge.ingest.DeadLetterReason;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Writes records that cannot go to Firehose to the dead-letter topic, with headers saying why and
 * where they came from. The original message is acknowledged only once the broker acknowledged the
 * dead letter; if even that keeps failing, the message is nacked, which stops the channel loudly
 * instead of losing the record.
 */
public final class DeadLetterWriter {

    public static final String REASON = "dlq-reason";
    public static final String DETAIL = "dlq-detail";
    public static final String TOPIC = "dlq-original-topic";
    public static final String PARTITION = "dlq-original-partition";
    public static final String OFFSET = "dlq-original-offset";
    public static final String TIMESTAMP = "dlq-original-timestamp";

    private static final Logger LOG = Logger.getLogger(DeadLetterWriter.class);

    /** Where dead letters are sent: in the service, the {@code dead-letters} channel's emitter. */
    @FunctionalInterface
    public interface Sink {
        /** Sends the message; the Uni completes when the broker acknowledged it. */
        Uni<Void> send(Message<byte[]> message);
    }

    private final Sink emitter;
    private final DeliveryMetrics metrics;
    private final Duration maxRetry;

    public DeadLetterWriter(Sink emitter, DeliveryMetrics metrics, Duration maxRetry) {
        this.emitter = emitter;
        this.metrics = metrics;
        this.maxRetry = maxRetry;
    }

    /** Sends one record to the dead-letter topic, then settles its original message. */
    public Uni<Void> write(PendingRecord record, DeadLetterReason reason, String detail, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REASON, bytes(reason.headerValue()));
        if (detail != null) {
            headers.add(DETAIL, bytes(detail));
        }
        headers.add(TOPIC, bytes(record.at().topic()));
        headers.add(PARTITION, bytes(Integer.toString(record.at().partition())));
        headers.add(OFFSET, bytes(Long.toString(record.at().offset())));
        headers.add(TIMESTAMP, bytes(Long.toString(record.at().timestamp())));
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]> builder()
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        byte[] payload = value == null ? new byte[0] : value;
        return Uni.createFrom().deferred(() -> emitter.send(Message.of(payload, Metadata.of(metadata))))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).expireIn(maxRetry.toMillis())
                .onItem().transformToUni(ignored -> {
                    metrics.deadLettered(reason);
                    return Uni.createFrom().completionStage(record.settlement().ack());
                })
                .onFailure().recoverWithUni(failure -> {
                    LOG.errorf(failure, "Cannot write %s/%d@%d to the dead-letter topic; nacking it so the channel stops instead of losing it",
                            record.at().topic(), record.at().partition(), record.at().offset());
                    return Uni.createFrom().completionStage(record.settlement().nack(failure));
                });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
