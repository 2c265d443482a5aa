package io.firehosebridge.delivery.observe;

import java.time.Instant;
import java.util.List;

import io.firehosebridge.ingest.KafkaCoordinates;

/**
 * Told about every record Firehose accepted (for example to keep a delivery ledger). Implementations
 * are CDI beans; they are called on the delivery path, so they must be quick and must not block.
 */
public interface DeliveryObserver {

    /**
     * Records Firehose accepted in one PutRecordBatch response, in the order they were sent.
     *
     * @param records where each accepted record came from
     * @param sentAt when the call that delivered them was sent
     * @param redriven true when these are re-driven records, not the live stream
     */
    void accepted(List<KafkaCoordinates> records, Instant sentAt, boolean redriven);
}
