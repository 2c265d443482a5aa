package io.firehosebridge.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.jboss.logging.Logger;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Puts one batch to Firehose and settles every record in it: acknowledged once Firehose accepted it,
 * or dead-lettered. Failed entries (matched by index) are resent alone after a backoff; throttling
 * slows the shared adaptive rate; after the total retry time the remaining records are dead-lettered.
 * The returned Uni never fails: every outcome is a settled record; its item is how many records Firehose accepted.
 */
public final class FirehoseSender {

    private static final Logger LOG = Logger.getLogger(FirehoseSender.class);
    private static final String THROTTLED = "ServiceUnavailableException";

    private final FirehoseAsyncClient client;
    private final String deliveryStream;
    private final RetryPolicy retry;
    private final AdaptiveRateLimiter rate;
    private final DeadLetterWriter deadLetters;
    private final DeliveryMetrics metrics;
    private final AcceptedRate acceptedRate = new AcceptedRate();
    private static final Duration MIN_DELAY = Duration.ofMillis(1);
    private final List<DeliveryObserver> observers;

    public FirehoseSender(FirehoseAsyncClient client, String deliveryStream, RetryPolicy retry, AdaptiveRateLimiter rate,
            DeadLetterWriter deadLetters, DeliveryMetrics metrics, List<DeliveryObserver> observers) {
        this.observers = List.copyOf(observers);
        this.client = client;
        this.deliveryStream = deliveryStream;
        this.retry = retry;
        this.rate = rate;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Delivers a batch; completes when every record in it is acknowledged or dead-lettered. */
    public Uni<Integer> deliver(DeliveryBatch batch) {
        return deliver(batch, false);
    }

    /** Delivers a batch, telling observers whether these records are re-driven ones. */
    public Uni<Integer> deliver(DeliveryBatch batch, boolean redriven) {
        if (batch.deadLetter()) {
            PendingRecord record = batch.records().get(0);
            return deadLetters.write(record, record.reason(), record.detail(), record.data()).replaceWith(0);
        }
        long deadline = System.nanoTime() + retry.maxDuration().toNanos();
        return attempt(batch.records(), 1, deadline, redriven);
    }

    private Uni<Integer> attempt(List<PendingRecord> records, int attempt, long deadline, boolean redriven) {
        Duration wait = rate.reserve(records.size());
        // Mutiny cannot schedule a delay under 1 ms (it fails the stream): round such waits up.
        Uni<Void> gate = wait.isZero() ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : wait);
        return gate.chain(() -> put(records))
                .chain(outcome -> settle(records, outcome, attempt, deadline, redriven));
    }

    private Uni<PutOutcome> put(List<PendingRecord> records) {
        List<Record> entries = new ArrayList<>(records.size());
        long bytes = 0;
        for (PendingRecord r : records) {
            entries.add(Record.builder().data(SdkBytes.fromByteArrayUnsafe(r.data())).build());
            bytes += r.size();
        }
        PutRecordBatchRequest request = PutRecordBatchRequest.builder().deliveryStreamName(deliveryStream).records(entries).build();
        metrics.callStarted(records.size(), bytes);
        long start = System.nanoTime();
        Instant sentAt = Instant.now();
        return Uni.createFrom().completionStage(() -> client.putRecordBatch(request))
                .onItemOrFailure().transform((response, failure) -> {
                    metrics.callEnded(start);
                    return failure == null ? PutOutcome.of(response, sentAt) : PutOutcome.of(unwrap(failure));
                });
    }

    private Uni<Integer> settle(List<PendingRecord> records, PutOutcome outcome, int attempt, long deadline, boolean redriven) {
        List<PendingRecord> failed = new ArrayList<>();
        List<KafkaCoordinates> accepted = observers.isEmpty() ? null : new ArrayList<>(records.size());
        int throttled = 0;
        String lastError = outcome.callError;
        if (outcome.response != null) {
            List<PutRecordBatchResponseEntry> results = outcome.response.requestResponses();
            for (int i = 0; i < records.size(); i++) {
                PutRecordBatchResponseEntry result = i < results.size() ? results.get(i) : null;
                if (result != null && result.errorCode() == null) {
                    records.get(i).message().ack();
                    if (accepted != null) {
                        accepted.add(records.get(i).at());
                    }
                } else {
                    failed.add(records.get(i));
                    String code = result == null ? "MissingResponseEntry" : result.errorCode();
                    if (THROTTLED.equals(code)) {
                        throttled++;
                    }
                    lastError = code + (result == null || result.errorMessage() == null ? "" : ": " + result.errorMessage());
                }
            }
        } else {
            failed.addAll(records);
            if (outcome.throttling) {
                throttled = records.size();
            }
        }
        int acceptedCount = records.size() - failed.size();
        metrics.delivered(acceptedCount);
        acceptedRate.add(acceptedCount);
        rate.onResponse(acceptedCount, throttled, acceptedRate.perSecond());
        if (accepted != null && !accepted.isEmpty()) {
            for (DeliveryObserver observer : observers) {
                try {
                    observer.accepted(accepted, outcome.sentAt(), redriven);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Delivery observer %s failed", observer.getClass().getSimpleName());
                }
            }
        }
        if (failed.isEmpty()) {
            return Uni.createFrom().item(acceptedCount);
        }
        metrics.throttled(throttled);
        if (outcome.permanent) {
            LOG.errorf("Firehose rejected a call of %d records to %s as invalid (%s); dead-lettering them", failed.size(), deliveryStream, lastError);
            return deadLetterAll(failed, DeadLetterReason.REJECTED_BY_FIREHOSE, lastError).replaceWith(acceptedCount);
        }
        Duration backoff = retry.backoff(attempt);
        if (System.nanoTime() + backoff.toNanos() > deadline) {
            LOG.errorf("Giving up on %d records to %s after %d attempts (last error %s); dead-lettering them", failed.size(), deliveryStream,
                    attempt, lastError);
            return deadLetterAll(failed, DeadLetterReason.RETRIES_EXHAUSTED, lastError).replaceWith(acceptedCount);
        }
        if (attempt == 1 || attempt % 10 == 0) {
            LOG.warnf("%d of %d records to %s failed (%d throttled, last error %s); resending them (attempt %d) in %d ms", failed.size(),
                    records.size(), deliveryStream, throttled, lastError, attempt + 1, backoff.toMillis());
        }
        metrics.retried(failed.size());
        return Uni.createFrom().voidItem().onItem().delayIt().by(backoff)
                .chain(() -> attempt(failed, attempt + 1, deadline, redriven))
                .map(later -> acceptedCount + later);
    }

    private Uni<Void> deadLetterAll(List<PendingRecord> records, DeadLetterReason reason, String detail) {
        List<Uni<Void>> writes = new ArrayList<>(records.size());
        for (PendingRecord r : records) {
            writes.add(deadLetters.write(r, reason, detail, r.data()));
        }
        return Uni.join().all(writes).andCollectFailures().replaceWithVoid();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What one call returned: per-entry results, or a whole-call error classified for retrying. */
    private record PutOutcome(PutRecordBatchResponse response, String callError, boolean throttling, boolean permanent, Instant sentAt) {

        static PutOutcome of(PutRecordBatchResponse response, Instant sentAt) {
            return new PutOutcome(response, null, false, false, sentAt);
        }

        static PutOutcome of(Throwable failure) {
            if (failure instanceof FirehoseException fe && fe.awsErrorDetails() != null) {
                String code = fe.awsErrorDetails().errorCode();
                boolean throttling = THROTTLED.equals(code) || "ThrottlingException".equals(code) || "LimitExceededException".equals(code)
                        || fe.statusCode() == 429;
                boolean permanent = "InvalidArgumentException".equals(code) || "ValidationException".equals(code);
                return new PutOutcome(null, code + ": " + fe.awsErrorDetails().errorMessage(), throttling, permanent, null);
            }
            String kind = failure instanceof SdkClientException ? "client error" : failure.getClass().getSimpleName();
            return new PutOutcome(null, kind + ": " + failure.getMessage(), false, false, null);
        }
    }

    /**
     * Records accepted per second: the rate over the current window once it is 100 ms old, or the last
     * full one-second window if that was higher (a window that just started says little).
     */
    private static final class AcceptedRate {
        private long windowStart = System.nanoTime();
        private long count;
        private double lastWindow;

        synchronized void add(int n) {
            count += n;
            long elapsed = System.nanoTime() - windowStart;
            if (elapsed >= 1_000_000_000L) {
                lastWindow = count * 1e9 / elapsed;
                count = 0;
                windowStart += elapsed;
            }
        }

        synchronized double perSecond() {
            long elapsed = System.nanoTime() - windowStart;
            double current = elapsed >= 100_000_000L ? count * 1e9 / elapsed : 0;
            return Math.max(current, lastWindow);
        }
    }
}
