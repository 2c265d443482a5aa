package io.firehosebridge.delivery.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How records are batched and sent to Firehose ({@code bridge.delivery}). In a package of its own, below the pipeline, so
 * that the beans building the pipeline's parts (the Firehose client, the delivery stream's readiness check) and the
 * reconciliation read it without depending on the pipeline.
 */
@ConfigMapping(prefix = "bridge.delivery")
public interface DeliveryConfig {

    /** Whether the pipeline runs; false leaves only the other features (e.g. the local Firehose endpoint on its own). */
    @WithDefault("true")
    boolean enabled();

    /** Name of the Firehose delivery stream records are put to. */
    String deliveryStream();

    /** Firehose endpoint override (e.g. http://127.0.0.1:4573 for the local endpoint); unset means AWS. */
    Optional<URI> endpoint();

    /** Records per PutRecordBatch call, 1..500 (Firehose's limit). */
    @WithDefault("500")
    int maxBatchRecords();

    /** Bytes per PutRecordBatch call, at most 4 MiB (Firehose's limit). */
    @WithDefault("4194304")
    long maxBatchBytes();

    /** Largest record accepted after enrichment, at most 1,024,000 bytes (Firehose's limit); larger ones are dead-lettered. */
    @WithDefault("1024000")
    int maxRecordBytes();

    /** Most PutRecordBatch calls in flight at once: the ceiling of the adaptive concurrency, 1..256. */
    @WithDefault("64")
    int maxInFlightCalls();

    /** Firehose's request quota of the stream (PutRecordBatch calls per second); the adaptive concurrency stays within it. */
    @WithDefault("1000")
    double maxRequestsPerSecond();

    /** Bytes handed to Firehose and not yet accepted; consumption pauses at this bound. At least max-batch-bytes. */
    @WithDefault("33554432")
    long maxInFlightBytes();

    /** First retry delay for failed entries; doubles per attempt, with jitter. */
    @WithDefault("100ms")
    Duration retryInitialBackoff();

    /** Longest delay between two attempts. */
    @WithDefault("5s")
    Duration retryMaxBackoff();

    /** Total time a record is retried before it is dead-lettered with reason retries-exhausted. */
    @WithDefault("5m")
    Duration retryMaxDuration();

    /** Ceiling on records/s sent, e.g. the stream's quota; unset means none (the adaptive rate still reacts to throttling). */
    OptionalDouble maxRecordsPerSecond();

    /** When Firehose throttles, the send rate falls to this share of what it was accepting, in (0, 1). */
    @WithDefault("0.9")
    double rateDecreaseFactor();

    /** Share of the send rate added per second when probing above the last throttling point (doubles every 6 s without throttling). */
    @WithDefault("0.02")
    double rateIncreasePerSecond();

    /** Timeout of one PutRecordBatch call. */
    @WithDefault("30s")
    Duration callTimeout();

    /** On shutdown, how long in-flight batches may take to finish before the service exits. */
    @WithDefault("20s")
    Duration shutdownGrace();
}
