package io.firehosebridge.localfirehose.stream;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;

import java.time.Duration;
import java.time.Instant;

/**
 * How a stream behaves under load, changeable at runtime: quotas (token buckets per second),
 * injected per-record failures, a whole-call error until a given instant, added latency, and whether
 * accepted records are delivered at all.
 *
 * @param recordsPerSecond records quota; the excess is throttled per record
 * @param requestsPerSecond put-call quota; the excess call fails as a whole
 * @param mibPerSecond data quota in MiB/s; the excess is throttled per record
 * @param recordFailureRate share (0..1) of records answered with InternalFailure in PutRecordBatch
 * @param callErrorType exception type every put call fails with while {@code callErrorUntil} is in the future
 * @param callErrorStatus HTTP status of that whole-call error (500 or 503 for ServiceUnavailableException)
 * @param callErrorUntil until when put calls fail; null for never
 * @param addedLatency latency added to every put call
 * @param deliveryEnabled false to accept and discard (no delivery to search or S3)
 */
public record StreamFaults(
        long recordsPerSecond,
        long requestsPerSecond,
        double mibPerSecond,
        double recordFailureRate,
        String callErrorType,
        int callErrorStatus,
        Instant callErrorUntil,
        Duration addedLatency,
        boolean deliveryEnabled) {

    public StreamFaults {
        if (recordsPerSecond <= 0 || requestsPerSecond <= 0 || mibPerSecond <= 0) {
            throw new IllegalArgumentException("quotas must be positive");
        }
        if (recordFailureRate < 0 || recordFailureRate > 1) {
            throw new IllegalArgumentException("recordFailureRate must be within 0..1");
        }
        if (addedLatency == null || addedLatency.isNegative()) {
            throw new IllegalArgumentException("addedLatency must be zero or positive");
        }
        if (callErrorType == null) {
            callErrorType = "ServiceUnavailableException";
        }
        if (callErrorStatus == 0) {
            callErrorStatus = 503;
        }
    }

    /** The starting values from configuration. */
    public static StreamFaults from(LocalFirehoseConfig.Defaults d) {
        return new StreamFaults(d.recordsPerSecond(), d.requestsPerSecond(), d.mibPerSecond(), d.recordFailureRate(),
                null, 0, null, d.addedLatency(), d.deliveryEnabled());
    }

    public StreamFaults withQuotas(long records, long requests, double mib) {
        return new StreamFaults(records, requests, mib, recordFailureRate, callErrorType, callErrorStatus, callErrorUntil,
                addedLatency, deliveryEnabled);
    }

    public StreamFaults withRecordFailureRate(double rate) {
        return new StreamFaults(recordsPerSecond, requestsPerSecond, mibPerSecond, rate, callErrorType, callErrorStatus,
                callErrorUntil, addedLatency, deliveryEnabled);
    }

    public StreamFaults withCallError(String type, int status, Instant until) {
        return new StreamFaults(recordsPerSecond, requestsPerSecond, mibPerSecond, recordFailureRate, type, status, until,
                addedLatency, deliveryEnabled);
    }

    public StreamFaults withAddedLatency(Duration latency) {
        return new StreamFaults(recordsPerSecond, requestsPerSecond, mibPerSecond, recordFailureRate, callErrorType,
                callErrorStatus, callErrorUntil, latency, deliveryEnabled);
    }

    public StreamFaults withDeliveryEnabled(boolean enabled) {
        return new StreamFaults(recordsPerSecond, requestsPerSecond, mibPerSecond, recordFailureRate, callErrorType,
                callErrorStatus, callErrorUntil, addedLatency, enabled);
    }

    boolean callErrorActive(Instant now) {
        return callErrorUntil != null && now.isBefore(callErrorUntil);
    }
}
