package io.firehosebridge.localfirehose;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

/** What every delivery stream shares: configuration, clock, JSON, metrics, and the clients of search and S3. */
record DeliveryContext(LocalFirehoseConfig config, Clock clock, ObjectMapper mapper, MeterRegistry registry,
        SearchBulkClient search, S3ObjectStore s3) {
}
