package io.firehosebridge.ingest;

/** Where a record sits in Kafka: the identity every delivered document carries. */
public record KafkaCoordinates(String topic, int partition, long offset, long timestamp) {
}
