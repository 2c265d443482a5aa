package io.firehosebridge.localfirehose.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-stream counters shaped after Firehose's CloudWatch metrics (IncomingRecords, IncomingBytes,
 * ThrottledRecords, DeliveryToElasticsearch.Records, DeliveryToS3.Bytes, ...), tagged with the stream name.
 */
final class StreamMetrics {

    final Counter incomingRecords;
    final Counter incomingBytes;
    final Counter putRequests;
    final Counter throttledRecords;
    final Counter failedRecords;
    final Counter searchRecords;
    final Counter searchBytes;
    final Counter s3Records;
    final Counter s3Bytes;
    final Counter failedDocuments;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    StreamMetrics(MeterRegistry registry, String stream, Supplier<Number> bufferAgeSeconds) {
        this.registry = registry;
        incomingRecords = counter("localfirehose.incoming.records", stream, "Records accepted by Put calls");
        incomingBytes = counter("localfirehose.incoming.bytes", stream, "Bytes of records accepted by Put calls");
        putRequests = counter("localfirehose.put.requests", stream, "PutRecord and PutRecordBatch calls");
        throttledRecords = counter("localfirehose.throttled.records", stream, "Records rejected by a quota");
        failedRecords = counter("localfirehose.failed.records", stream, "Records failed by fault injection");
        searchRecords = counter("localfirehose.delivery.search.records", stream, "Documents indexed in the search cluster");
        searchBytes = counter("localfirehose.delivery.search.bytes", stream, "Bytes indexed in the search cluster");
        s3Records = counter("localfirehose.delivery.s3.records", stream, "Records written to S3 (destination or backup)");
        s3Bytes = counter("localfirehose.delivery.s3.bytes", stream, "Bytes written to S3 (destination or backup)");
        failedDocuments = counter("localfirehose.failed.documents", stream, "Documents given up on and written to the error prefix");
        meters.add(Gauge.builder("localfirehose.buffer.age.seconds", bufferAgeSeconds)
                .tag("stream", stream).description("Age of the oldest record not yet delivered").register(registry));
    }

    private Counter counter(String name, String stream, String description) {
        Counter c = Counter.builder(name).tag("stream", stream).description(description).register(registry);
        meters.add(c);
        return c;
    }

    /** Removes this stream's meters (the stream was deleted). */
    void remove() {
        meters.forEach(registry::remove);
    }
}
