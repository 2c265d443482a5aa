package io.firehosebridge.delivery.send;

import io.firehosebridge.aws.AwsRefusals;
import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.delivery.observe.DeliveryObserver;
import io.firehosebridge.delivery.settle.DeadLetterWriter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;

/**
 * Puts one batch to Firehose and settles every record in it: acknowledged once Firehose accepted it,
 * or dead-lettered. Failed entries (matched by index) are resent alone after a backoff; throttling
 * slows the shared adaptive rate and the adaptive concurrency, which also hears every call's latency; after the total retry
 * time the remaining records are dead-lettered. A call AWS refuses for its credentials or signature (or whose credentials
 * cannot be had) is no fault of its records: it is retried without that time limit, and its records are neither
 * acknowledged nor dead-lettered until AWS accepts them, so a wrong key or an expired token stops delivery and commits
 * instead of emptying the topic into the dead-letter topic. The returned Uni never fails: every outcome is a settled record (or, after
 * {@link #stop}, one left unsettled to be consumed again); its item is how many records Firehose accepted.
 */
public final class FirehoseSender {

    private static final Logger LOG = Logger.getLogger(FirehoseSender.class);
    private static final String THROTTLED = "ServiceUnavailableException";

    private final PutRecordBatchCall call;
    private final String deliveryStream;
    private final RetryPolicy retry;
    private final AdaptiveRateLimiter rate;
    private final AdaptiveConcurrency concurrency;
    /** Set once the application stops: no wait scheduled before (a backoff, the rate gate) continues into a call after it. */
    private volatile boolean stopped;
    private final DeadLetterWriter deadLetters;
    private final DeliveryMetrics metrics;
    private final AcceptedRate acceptedRate = new AcceptedRate();
    private static final Duration MIN_DELAY = Duration.ofMillis(1);
    /** Below this many full calls per second at the current rate, batches are split into paced calls. */
    private static final double PACED_CALLS_PER_SECOND = 20;
    /** Paced calls carry at least this many records (request quotas are in the thousands per second). */
    private static final int MIN_PACED_CALL_RECORDS = 25;
    private final List<DeliveryObserver> observers;
    private static final long RETRY_LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();
    private final AtomicLong lastRetryLog = new AtomicLong(System.nanoTime() - RETRY_LOG_INTERVAL_NANOS);
    private final AtomicLong retriedSinceLog = new AtomicLong();

    public FirehoseSender(PutRecordBatchCall call, String deliveryStream, RetryPolicy retry, AdaptiveRateLimiter rate,
            AdaptiveConcurrency concurrency, DeadLetterWriter deadLetters, DeliveryMetrics metrics, List<DeliveryObserver> observers) {
        this.concurrency = concurrency;
        this.observers = List.copyOf(observers);
        this.call = call;
        this.deliveryStream = deliveryStream;
        this.retry = retry;
        this.rate = rate;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /**
     * Delivers one call's records (within Firehose's limits), telling observers whether they are re-driven ones; completes
     * when every record is acknowledged or dead-lettered.
     */
    public Uni<Integer> deliver(List<PendingRecord> records, boolean redriven) {
        long deadline = System.nanoTime() + retry.maxDuration().toNanos();
        return attempt(records, 1, deadline, redriven);
    }

    /**
     * From now on, no wait scheduled earlier continues into a call: its records stay unsettled (consumed again after a
     * restart). A retry scheduled before a dev-mode live reload otherwise ran after the application stopped and failed in
     * a context that was gone.
     */
    public void stop() {
        stopped = true;
    }

    private Uni<Integer> attempt(List<PendingRecord> records, int attempt, long deadline, boolean redriven) {
        // Quota-bound (a low rate): send a batch as a few smaller calls (a twentieth of a second of quota each) paced by the rate, so an overshoot
        // of the quota costs at most one small call's worth of throttled entries.
        int chunk = (int) Math.max(MIN_PACED_CALL_RECORDS, Math.min(Integer.MAX_VALUE, rate.currentRate() / PACED_CALLS_PER_SECOND));
        if (records.size() > chunk) {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (int from = 0; from < records.size(); from += chunk) {
                List<PendingRecord> part = records.subList(from, Math.min(records.size(), from + chunk));
                chain = chain.chain(sent -> send(part, attempt, deadline, redriven).map(more -> sent + more));
            }
            return chain;
        }
        return send(records, attempt, deadline, redriven);
    }

    private Uni<Integer> send(List<PendingRecord> records, int attempt, long deadline, boolean redriven) {
        Duration wait = rate.reserve(records.size());
        if (!wait.isZero()) {
            concurrency.rateBound();
        }
        Uni<PutOutcome> call = wait.isZero() ? put(records) : after(wait, () -> put(records), null);
        return call.chain(outcome -> outcome == null ? Uni.createFrom().item(0) : settle(records, outcome, attempt, deadline, redriven));
    }

    private Uni<PutOutcome> put(List<PendingRecord> records) {
        long bytes = 0;
        for (PendingRecord r : records) {
            bytes += r.size();
        }
        metrics.callStarted(records.size(), bytes);
        long start = System.nanoTime();
        Instant sentAt = Instant.now();
        return Uni.createFrom().completionStage(() -> call.send(deliveryStream, records))
                .onItemOrFailure().transform((response, failure) -> {
                    metrics.callEnded(start);
                    PutOutcome outcome = failure == null ? PutOutcome.of(response, sentAt) : PutOutcome.of(unwrap(failure));
                    concurrency.ended(System.nanoTime() - start, outcome.throttling || outcome.throttledEntries() > 0);
                    return outcome;
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
                    records.get(i).settlement().ack();
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
        // Refused for the caller, not the records: no deadline while that lasts, and a full retry time once AWS accepts again.
        long nextDeadline = outcome.callerRefused ? Math.max(deadline, System.nanoTime() + retry.maxDuration().toNanos()) : deadline;
        if (!outcome.callerRefused && System.nanoTime() + backoff.toNanos() > deadline) {
            LOG.errorf("Giving up on %d records to %s after %d attempts (last error %s); dead-lettering them", failed.size(), deliveryStream,
                    attempt, lastError);
            return deadLetterAll(failed, DeadLetterReason.RETRIES_EXHAUSTED, lastError).replaceWith(acceptedCount);
        }
        long retriedSinceLastLog = retriedSinceLog.addAndGet(failed.size());
        long now = System.nanoTime();
        long last = lastRetryLog.get();
        // One line per interval with the counts, not one per batch: partial failures can be constant.
        if (now - last >= RETRY_LOG_INTERVAL_NANOS && lastRetryLog.compareAndSet(last, now)) {
            retriedSinceLog.addAndGet(-retriedSinceLastLog);
            LOG.warnf("Resending failed entries to %s: %d records in the last %d s (latest call: %d of %d failed, %d throttled, %s)",
                    deliveryStream, retriedSinceLastLog, Math.max(1, (now - last) / 1_000_000_000L), failed.size(), records.size(),
                    throttled, lastError);
        }
        metrics.retried(failed.size());
        return after(backoff, () -> attempt(failed, attempt + 1, nextDeadline, redriven), 0)
                .map(later -> acceptedCount + later);
    }

    /**
     * Runs {@code next} after {@code delay}, rounded up to 1 ms, unless the sender was stopped meanwhile: then completes with
     * {@code ifStopped} and runs nothing. The one place the sender waits (rate gate and backoff). A sub-millisecond rate-gate
     * wait once stopped the pipeline under a 1M-record burst; the rounding came from that.
     */
    private <T> Uni<T> after(Duration delay, java.util.function.Supplier<Uni<T>> next, T ifStopped) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay)
                .chain(() -> {
                    if (stopped) {
                        LOG.debugf("Not continuing a wait of %s: the sender is stopped", delay);
                        return Uni.createFrom().item(ifStopped);
                    }
                    return next.get();
                });
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
    private record PutOutcome(PutRecordBatchResponse response, String callError, boolean throttling, boolean permanent,
            boolean callerRefused, Instant sentAt) {

        static PutOutcome of(PutRecordBatchResponse response, Instant sentAt) {
            return new PutOutcome(response, null, false, false, false, sentAt);
        }

        /** Entries Firehose refused for throughput. */
        int throttledEntries() {
            if (response == null || Integer.valueOf(0).equals(response.failedPutCount())) {
                return 0;
            }
            int n = 0;
            for (PutRecordBatchResponseEntry e : response.requestResponses()) {
                if (THROTTLED.equals(e.errorCode())) {
                    n++;
                }
            }
            return n;
        }

        static PutOutcome of(Throwable failure) {
            // AWS refusing the caller, or no credentials to call with: the same test the readiness check makes.
            Optional<String> refused = AwsRefusals.callerProblem(failure);
            if (refused.isPresent()) {
                return new PutOutcome(null, refused.get(), false, false, true, null);
            }
            if (failure instanceof FirehoseException fe && fe.awsErrorDetails() != null) {
                String code = fe.awsErrorDetails().errorCode();
                boolean throttling = THROTTLED.equals(code) || "ThrottlingException".equals(code) || "LimitExceededException".equals(code)
                        || fe.statusCode() == 429;
                boolean permanent = "InvalidArgumentException".equals(code) || "ValidationException".equals(code);
                return new PutOutcome(null, code + ": " + fe.awsErrorDetails().errorMessage(), throttling, permanent, false, null);
            }
            String kind = failure instanceof SdkClientException ? "client error" : failure.getClass().getSimpleName();
            return new PutOutcome(null, kind + ": " + failure.getMessage(), false, false, false, null);
        }
    }

    /**
     * Records accepted per second over the last two seconds (ten 200 ms buckets), or over the time since
     * the first acceptance when that is shorter: steady enough to mark a quota, and not an
     * underestimate right after startup.
     */
    private static final class AcceptedRate {
        private static final long BUCKET_NANOS = 200_000_000L;
        private final long[] buckets = new long[10];
        private long currentBucket = System.nanoTime() / BUCKET_NANOS;
        private long firstAccepted = -1;

        synchronized void add(int n) {
            roll();
            if (firstAccepted < 0 && n > 0) {
                firstAccepted = System.nanoTime();
            }
            buckets[(int) (currentBucket % buckets.length)] += n;
        }

        synchronized double perSecond() {
            roll();
            long sum = 0;
            for (long b : buckets) {
                sum += b;
            }
            double window = buckets.length * BUCKET_NANOS / 1e9;
            double since = firstAccepted < 0 ? window : (System.nanoTime() - firstAccepted) / 1e9;
            return sum / Math.max(BUCKET_NANOS / 1e9, Math.min(window, since));
        }

        private void roll() {
            long bucket = System.nanoTime() / BUCKET_NANOS;
            for (long b = currentBucket + 1; b <= bucket && b <= currentBucket + buckets.length; b++) {
                buckets[(int) (b % buckets.length)] = 0;
            }
            currentBucket = Math.max(currentBucket, bucket);
        }
    }
}
