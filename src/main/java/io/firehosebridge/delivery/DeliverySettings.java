package io.firehosebridge.delivery;

import io.firehosebridge.delivery.config.DeliveryConfig;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.microprofile.config.ConfigProvider;

import io.firehosebridge.ingest.RecordEnricher;
import io.firehosebridge.ingest.RecordsConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/** Range checks on delivery settings, so bad configuration fails at startup naming the setting. */
final class DeliverySettings {

    static final int FIREHOSE_MAX_BATCH_RECORDS = 500;
    static final long FIREHOSE_MAX_BATCH_BYTES = 4L * 1024 * 1024;

    private DeliverySettings() {
    }

    static void validate(DeliveryConfig c, RecordsConfig r) {
        check(c.deliveryStream().matches("[a-zA-Z0-9_.-]{1,64}"), "bridge.delivery.delivery-stream",
                "must be 1..64 characters of [a-zA-Z0-9_.-], was '" + c.deliveryStream() + "'");
        check(c.maxBatchRecords() >= 1 && c.maxBatchRecords() <= FIREHOSE_MAX_BATCH_RECORDS, "bridge.delivery.max-batch-records",
                "must be 1..500 (Firehose's limit), was " + c.maxBatchRecords());
        check(c.maxBatchBytes() >= 1024 && c.maxBatchBytes() <= FIREHOSE_MAX_BATCH_BYTES, "bridge.delivery.max-batch-bytes",
                "must be 1024..4194304 (Firehose's limit is 4 MiB), was " + c.maxBatchBytes());
        check(c.maxRecordBytes() >= 64 && c.maxRecordBytes() <= RecordEnricher.FIREHOSE_MAX_RECORD_BYTES
                && c.maxRecordBytes() <= c.maxBatchBytes(), "bridge.delivery.max-record-bytes",
                "must be 64..1024000 (Firehose's limit) and at most bridge.delivery.max-batch-bytes, was " + c.maxRecordBytes());
        check(c.maxInFlightCalls() >= 1 && c.maxInFlightCalls() <= 256, "bridge.delivery.max-in-flight-calls",
                "must be 1..256, was " + c.maxInFlightCalls());
        check(c.maxInFlightBytes() >= c.maxBatchBytes(), "bridge.delivery.max-in-flight-bytes",
                "must be at least bridge.delivery.max-batch-bytes (" + c.maxBatchBytes() + "), was " + c.maxInFlightBytes());
        check(c.maxRequestsPerSecond() > 0, "bridge.delivery.max-requests-per-second", "must be positive, was " + c.maxRequestsPerSecond());
        check(c.rateDecreaseFactor() > 0 && c.rateDecreaseFactor() < 1, "bridge.delivery.rate-decrease-factor",
                "must be in (0, 1), was " + c.rateDecreaseFactor());
        check(c.rateIncreasePerSecond() > 0, "bridge.delivery.rate-increase-per-second", "must be positive");
        check(c.maxRecordsPerSecond().orElse(1) > 0, "bridge.delivery.max-records-per-second", "must be positive when set");
        check(!c.retryMaxDuration().isNegative(), "bridge.delivery.retry-max-duration", "must not be negative");
        check(r.metadataKey().matches("[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,63}") && !r.metadataKey().startsWith("_"),
                "bridge.records.metadata-key", "must be a plain field name (letters, digits, _ . @ -; not starting with _), was '"
                        + r.metadataKey() + "'");
        check(r.maxDepth() >= 2 && r.maxDepth() <= 1000, "bridge.records.max-depth", "must be 2..1000, was " + r.maxDepth());
        refuseRemoved(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
        check(ConfigProvider.getConfig().getOptionalValue(CLICKS_BATCH, Boolean.class).orElse(false), CLICKS_BATCH,
                "must be true: the pipeline takes one message per poll and acknowledges it once every record in it is settled");
    }

    static final String CLICKS_BATCH = "mp.messaging.incoming.clicks.batch";

    /** Settings that are gone, and why: one still set fails startup naming it, instead of being ignored without a word. */
    static final Map<String, String> REMOVED = Map.of(
            "bridge.delivery.linger", "each Kafka poll is sent as it comes (split only at Firehose's limits), nothing waits for more records",
            "bridge.delivery.sdk-call-pipeline", "PutRecordBatch has one path, the signed request (the SDK's pipeline sent the same bytes with more CPU)");

    static void refuseRemoved(Function<String, Optional<String>> setting) {
        REMOVED.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(r -> check(setting.apply(r.getKey()).isEmpty(), r.getKey(), "was removed: " + r.getValue() + "; remove the setting"));
    }

    private static void check(boolean ok, String setting, String message) {
        if (!ok) {
            throw new ConfigurationException("Invalid setting " + setting + ": " + message);
        }
    }
}
