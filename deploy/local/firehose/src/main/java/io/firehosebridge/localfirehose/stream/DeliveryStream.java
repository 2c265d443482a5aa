package io.firehosebridge.localfirehose.stream;

import io.firehosebridge.localfirehose.api.FirehoseException;
import io.firehosebridge.localfirehose.destination.S3KeyLayout;
import io.firehosebridge.localfirehose.destination.S3Settings;
import io.firehosebridge.localfirehose.destination.SearchBulkClient.BulkDocument;
import io.firehosebridge.localfirehose.destination.SearchBulkClient.DocumentError;
import io.firehosebridge.localfirehose.destination.SearchSettings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One delivery stream at runtime: its status, quotas and faults, its buffer, and the single delivery thread
 * that empties the buffer into the search cluster and S3 (one flush at a time, off the HTTP event loop).
 */
public final class DeliveryStream {

    /** What the quotas and fault settings decided for one record. */
    public enum Admission {
        ACCEPTED, THROTTLED, FAILED
    }

    private static final Logger LOG = Logger.getLogger(DeliveryStream.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final StreamSpec spec;
    private final String arn;
    private final Instant created;
    private final DeliveryContext context;
    private final DeliveryBuffer buffer;
    private final ExecutorService deliveryThread;
    /** Writes the AllDocuments backup while the delivery thread indexes the same records, as AWS does both independently. */
    private final ExecutorService backupThread;
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    /** The previous flush's backup object, possibly still being written (delivery thread only). */
    private Future<?> previousBackup;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicLong sequence = new AtomicLong();
    private final String idPrefix;
    private final StreamMetrics metrics;
    private volatile String status;
    private volatile StreamFaults faults;
    private volatile Quotas quotas;

    private record Quotas(TokenBucket requests, TokenBucket records, TokenBucket bytes) {
        static Quotas of(StreamFaults f) {
            return new Quotas(TokenBucket.perSecond(f.requestsPerSecond()), TokenBucket.perSecond(f.recordsPerSecond()),
                    TokenBucket.perSecond(f.mibPerSecond() * 1024 * 1024));
        }
    }

    /** A stream in {@code status} with these starting faults, sharing {@code context} with the other streams. */
    public DeliveryStream(StreamSpec spec, String arn, String status, StreamFaults faults, DeliveryContext context) {
        this.spec = spec;
        this.arn = arn;
        this.status = status;
        this.context = context;
        this.created = context.clock().instant();
        this.faults = faults;
        this.quotas = Quotas.of(faults);
        int sizeMb = spec.search() != null ? spec.search().sizeInMBs() : spec.s3().sizeInMBs();
        int intervalSeconds = spec.search() != null ? spec.search().intervalInSeconds() : spec.s3().intervalInSeconds();
        this.buffer = new DeliveryBuffer(sizeMb * 1024L * 1024L, Duration.ofSeconds(intervalSeconds), context.clock());
        this.idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + Long.toHexString(created.toEpochMilli());
        this.deliveryThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "local-firehose-delivery-" + spec.name());
            t.setDaemon(true);
            return t;
        });
        this.backupThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "local-firehose-backup-" + spec.name());
            t.setDaemon(true);
            return t;
        });
        this.metrics = new StreamMetrics(context.registry(), spec.name(), () -> buffer.oldestAge().toMillis() / 1000d);
    }

    public String name() {
        return spec.name();
    }

    public StreamSpec spec() {
        return spec;
    }

    public String arn() {
        return arn;
    }

    public Instant created() {
        return created;
    }

    public String status() {
        return status;
    }

    /** Configuration version; starts at 1 (this endpoint has no UpdateDestination, so it stays 1). */
    public String versionId() {
        return "1";
    }

    public String destinationId() {
        return "destinationId-000000000001";
    }

    public StreamFaults faults() {
        return faults;
    }

    /** Sets the lifecycle status (CREATING, ACTIVE, DELETING) shown by DescribeDeliveryStream. */
    public void setStatus(String status) {
        this.status = status;
    }

    /** Replaces the quotas and faults; new token buckets only when a quota changed. */
    public void setFaults(StreamFaults newFaults) {
        StreamFaults old = this.faults;
        this.faults = newFaults;
        if (old.recordsPerSecond() != newFaults.recordsPerSecond() || old.requestsPerSecond() != newFaults.requestsPerSecond()
                || old.mibPerSecond() != newFaults.mibPerSecond()) {
            this.quotas = Quotas.of(newFaults);
        }
    }

    /** Applies the whole-call fault and the request quota to one put call; throws the error AWS would answer. */
    public void admitCall() {
        metrics.putRequests.increment();
        StreamFaults f = faults;
        if (f.callErrorActive(context.clock().instant())) {
            throw new FirehoseException(f.callErrorType(), f.callErrorStatus(),
                    "ServiceUnavailableException".equals(f.callErrorType()) ? "Slow down." : "Injected failure.");
        }
        if (!quotas.requests().tryTake(1)) {
            throw FirehoseException.slowDown();
        }
    }

    /** Applies the buffer bound, the record and byte quotas and the injected failure rate to one record. */
    public Admission admitRecord(int size, boolean batch) {
        Quotas q = quotas;
        // A full buffer throttles like a spent quota, and takes no tokens.
        if (buffer.bytes() >= context.config().maxBufferedBytes() || !TokenBucket.tryTakeBoth(q.records(), q.bytes(), size)) {
            metrics.throttledRecords.increment();
            return Admission.THROTTLED;
        }
        double rate = faults.recordFailureRate();
        if (batch && rate > 0 && ThreadLocalRandom.current().nextDouble() < rate) {
            metrics.failedRecords.increment();
            return Admission.FAILED;
        }
        return Admission.ACCEPTED;
    }

    /** Takes an admitted record into the buffer (or discards it when delivery is off); returns its RecordId. */
    public String accept(byte[] data, Instant arrival) {
        String recordId = idPrefix + Long.toString(sequence.incrementAndGet());
        metrics.incomingRecords.increment();
        metrics.incomingBytes.increment(data.length);
        if (faults.deliveryEnabled() && buffer.add(new BufferedRecord(data, arrival, recordId))) {
            scheduleFlush();
        }
        return recordId;
    }

    /** Called periodically: starts a delivery when the buffer's interval has passed. */
    public void tick() {
        if (buffer.isDue()) {
            scheduleFlush();
        }
    }

    /** Delivers whatever is buffered now, regardless of the buffering hints. */
    public void flushNow() {
        if (buffer.size() > 0) {
            scheduleFlush();
        }
    }

    private void scheduleFlush() {
        if (flushQueued.compareAndSet(false, true)) {
            try {
                deliveryThread.execute(() -> {
                    flushQueued.set(false);
                    List<BufferedRecord> batch = buffer.drain();
                    while (!batch.isEmpty()) {
                        deliver(batch);
                        // What arrived meanwhile goes out in buffer-sized chunks while it is due (or on shutdown).
                        batch = buffer.isDue() || stopping.getCount() == 0 ? buffer.drain() : List.of();
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.warnf("Delivery stream %s is stopped; %d buffered records stay undelivered", spec.name(), buffer.size());
            }
        }
    }

    /** Stops retrying, delivers what is buffered and waits for it until {@code deadline}; returns false on timeout. */
    public boolean stop(Instant deadline) throws InterruptedException {
        stopping.countDown();
        scheduleFlush();
        deliveryThread.shutdown();
        long waitMillis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        boolean delivered = deliveryThread.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        // Only now: the last flush still submits its backup object, and a stopped executor would reject it (and with it the flush).
        backupThread.shutdown();
        boolean done = delivered
                && backupThread.awaitTermination(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        if (!done) {
            LOG.warnf("Delivery stream %s: %d buffered records not delivered before shutdown", spec.name(), buffer.size());
        }
        metrics.remove();
        return done;
    }

    private void deliver(List<BufferedRecord> batch) {
        try {
            if (spec.search() != null) {
                deliverToSearch(spec.search(), batch);
            } else {
                writeS3(spec.s3(), spec.s3().prefix(), null, batch.get(0).arrival(), concat(batch), batch.size());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Delivery stream %s: delivery of %d records failed", spec.name(), batch.size());
        }
    }

    private void deliverToSearch(SearchSettings s, List<BufferedRecord> batch) {
        String baseUrl = s.clusterEndpoint() != null ? s.clusterEndpoint() : context.domainUrl();
        Future<?> backup = s.allDocuments()
                ? backupThread.submit(() -> writeS3(s.s3(), s.s3().prefix(), null, batch.get(0).arrival(), concat(batch), batch.size()))
                : null;
        long deadline = System.nanoTime() + Duration.ofSeconds(s.retryDurationSeconds()).toNanos();
        List<BufferedRecord> pending = batch;
        List<DocumentError> errors = List.of();
        int attempts = 0;
        Duration backoff = MIN_BACKOFF;
        while (true) {
            attempts++;
            errors = attemptBulk(s, baseUrl, pending);
            List<BufferedRecord> failed = new ArrayList<>();
            List<DocumentError> failedErrors = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                if (errors.get(i) == null) {
                    metrics.searchRecords.increment();
                    metrics.searchBytes.increment(pending.get(i).data().length);
                } else {
                    failed.add(pending.get(i));
                    failedErrors.add(errors.get(i));
                }
            }
            pending = failed;
            errors = failedErrors;
            if (pending.isEmpty() || System.nanoTime() >= deadline || stopping.getCount() == 0) {
                break;
            }
            long sleep = Math.min(jitter(backoff).toNanos(), Math.max(0, deadline - System.nanoTime()));
            try {
                stopping.await(sleep, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
        // The next flush may index while this backup is still being written, but not before the previous one is
        // written: at most two backups are outstanding, so a slow S3 slows search delivery only when it falls behind.
        awaitBackup(previousBackup);
        previousBackup = backup;
        if (!pending.isEmpty()) {
            LOG.warnf("Delivery stream %s: %d of %d documents failed after %d attempts (first error %s), writing them to S3",
                    spec.name(), pending.size(), batch.size(), attempts, errors.get(0).code());
            writeFailedDocuments(s, pending, errors, attempts);
        }
    }

    private void awaitBackup(Future<?> backup) {
        if (backup == null) {
            return;
        }
        try {
            backup.get();
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "Delivery stream %s: writing the backup object failed", spec.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<DocumentError> attemptBulk(SearchSettings s, String baseUrl, List<BufferedRecord> pending) {
        String code = (s.openSearchService() ? "OS" : "ES") + ".ConnectionFailed";
        try {
            String type = s.typeName() != null && context.search().supportsTypes(baseUrl) ? s.typeName() : null;
            List<BulkDocument> docs = new ArrayList<>(pending.size());
            for (BufferedRecord r : pending) {
                docs.add(new BulkDocument(s.rotation().indexName(s.indexName(), r.arrival()), type,
                        s.firehoseDocumentIds() ? r.documentId() : null, r.data()));
            }
            return context.search().bulk(baseUrl, docs, context.config().maxBulkRequestBytes());
        } catch (IOException | RuntimeException e) {
            DocumentError error = new DocumentError(code, "Unable to reach the search cluster at " + baseUrl + ": " + e);
            List<DocumentError> all = new ArrayList<>(pending.size());
            pending.forEach(r -> all.add(error));
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            DocumentError error = new DocumentError(code, "Interrupted");
            List<DocumentError> all = new ArrayList<>(pending.size());
            pending.forEach(r -> all.add(error));
            return all;
        }
    }

    private void writeFailedDocuments(SearchSettings s, List<BufferedRecord> failed, List<DocumentError> errors, int attempts) {
        String folder = s.openSearchService() ? context.config().opensearchFailedFolder() : context.config().elasticsearchFailedFolder();
        long ending = context.clock().millis();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (int i = 0; i < failed.size(); i++) {
                BufferedRecord r = failed.get(i);
                ObjectNode envelope = context.mapper().createObjectNode();
                envelope.put("attemptsMade", attempts);
                envelope.put("arrivalTimestamp", r.arrival().toEpochMilli());
                envelope.put("errorCode", errors.get(i).code());
                envelope.put("errorMessage", errors.get(i).message());
                envelope.put("attemptEndingTimestamp", ending);
                envelope.put("esDocumentId", s.firehoseDocumentIds() ? r.documentId() : null);
                envelope.put("esIndexName", s.rotation().indexName(s.indexName(), r.arrival()));
                envelope.put("esTypeName", s.typeName() == null ? "" : s.typeName());
                envelope.put("rawData", Base64.getEncoder().encodeToString(r.data()));
                out.write(context.mapper().writeValueAsBytes(envelope));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3Settings s3 = s.s3();
        boolean custom = s3.errorOutputPrefix() != null && !s3.errorOutputPrefix().isEmpty();
        String prefix = custom ? s3.errorOutputPrefix() : (s3.prefix() == null ? "" : s3.prefix()) + folder + "/";
        writeS3(s3, prefix, folder, failed.get(0).arrival(), out.toByteArray(), failed.size());
        metrics.failedDocuments.increment(failed.size());
    }

    private void writeS3(S3Settings s3, String rawPrefix, String errorOutputType, Instant oldest, byte[] data, int records) {
        String key = S3KeyLayout.objectKey(S3KeyLayout.evaluatePrefix(rawPrefix, oldest, errorOutputType),
                spec.name(), versionId(), oldest, UUID.randomUUID(), s3.extension());
        byte[] body = "GZIP".equals(s3.compressionFormat()) ? gzip(data) : data;
        Duration backoff = MIN_BACKOFF;
        for (int attempt = 1;; attempt++) {
            try {
                context.s3().put(s3.bucket(), key, body);
                metrics.s3Records.increment(records);
                metrics.s3Bytes.increment(data.length);
                return;
            } catch (RuntimeException e) {
                // AWS keeps retrying S3 for up to 24 h; here until shutdown, then a few more tries.
                if (stopping.getCount() == 0 && attempt >= 3) {
                    LOG.errorf(e, "Delivery stream %s: giving up writing %d records to s3://%s/%s", spec.name(), records,
                            s3.bucket(), key);
                    return;
                }
                LOG.warnf("Delivery stream %s: S3 write attempt %d to bucket %s failed (%s), retrying", spec.name(), attempt,
                        s3.bucket(), e.toString());
                sleepQuietly(jitter(backoff));
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static byte[] concat(List<BufferedRecord> batch) {
        int size = 0;
        for (BufferedRecord r : batch) {
            size += r.data().length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (BufferedRecord r : batch) {
            System.arraycopy(r.data(), 0, out, pos, r.data().length);
            pos += r.data().length;
        }
        return out;
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Duration jitter(Duration backoff) {
        return Duration.ofMillis(backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1));
    }

    private void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
