package io.firehosebridge.localfirehose.stream;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;
import io.firehosebridge.localfirehose.destination.S3ObjectStore;
import io.firehosebridge.localfirehose.destination.SearchBulkClient;

import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What every delivery stream shares: configuration, clock, JSON, metrics, the clients of search and S3, and the base URL
 * every DomainARN resolves to ({@code local-firehose.search-url}, or the search front's when delivery goes through it).
 */
public record DeliveryContext(LocalFirehoseConfig config, Clock clock, ObjectMapper mapper, MeterRegistry registry,
        SearchBulkClient search, S3ObjectStore s3, String domainUrl) {
}
