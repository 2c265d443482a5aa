package io.firehosebridge.delivery.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.AbstractMultiOperator;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * A Mutiny operator that groups records into Firehose batches: at most {@code maxRecords} records and
 * {@code maxBatchBytes} bytes per batch, sealed early after {@code linger} so a quiet topic is not
 * held back. Dead letters pass through as batches of their own.
 *
 * <p>Backpressure is explicit: records are requested from upstream (and thus from the Kafka
 * connector, which pauses its consumer when nobody requests) only while the {@link InFlightBudget}
 * has room for what is buffered here, and batches are emitted only on downstream demand (one per
 * free call slot) when the budget can take them. Memory therefore does not grow with the backlog.
 *
 * <p>An emitted batch holds its bytes until {@link DeliveryBatch#release}. A downstream that is cancelled may drop a batch
 * it is handed at that moment without ever starting it (Mutiny's merge does), so on cancellation the batcher releases
 * every batch it emitted that was not released yet; a re-drive cancelled mid-way once kept its last batch's bytes for
 * good, and enough such cancellations would have stalled delivery.
 */
public final class DeliveryBatcher extends AbstractMultiOperator<PendingRecord, DeliveryBatch> {

    /** Sealed batches kept ready beyond what downstream asked for: enough to refill a slot at once. */
    private static final int MAX_READY = 2;

    private final int maxRecords;
    private final long maxBatchBytes;
    private final long lingerNanos;
    private final InFlightBudget budget;
    private final ScheduledExecutorService timer;

    public DeliveryBatcher(Multi<? extends PendingRecord> upstream, int maxRecords, long maxBatchBytes, Duration linger,
            InFlightBudget budget, ScheduledExecutorService timer) {
        super(upstream);
        this.maxRecords = maxRecords;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerNanos = linger.toNanos();
        this.budget = budget;
        this.timer = timer;
    }

    private volatile Processor processor;

    @Override
    public void subscribe(MultiSubscriber<? super DeliveryBatch> downstream) {
        processor = new Processor(downstream);
        upstream.subscribe().withSubscriber(processor);
    }

    /** Stops requesting records; what is buffered is sealed and still emitted. Used for graceful shutdown. */
    public void stop() {
        Processor p = processor;
        if (p != null) {
            p.stop();
        }
    }

    /** True when nothing is buffered here (neither an open batch nor sealed ones waiting). */
    public boolean isIdle() {
        Processor p = processor;
        return p == null || p.isIdle();
    }

    private final class Processor implements MultiSubscriber<PendingRecord>, Flow.Subscription {

        private final MultiSubscriber<? super DeliveryBatch> downstream;
        private final AtomicInteger wip = new AtomicInteger();
        private final Object lock = new Object();

        // guarded by lock
        private Flow.Subscription subscription;
        private long demand;
        private long outstanding;
        private final ArrayDeque<DeliveryBatch> ready = new ArrayDeque<>();
        /** Emitted and perhaps not released yet: what a cancellation gives back. */
        private final List<DeliveryBatch> emitted = new ArrayList<>();
        private long readyBytes;
        private List<PendingRecord> open;
        private long openBytes;
        private long openGeneration;
        private ScheduledFuture<?> lingerTask;
        private boolean upstreamDone;
        private boolean stopped;
        private Throwable failure;
        private boolean cancelled;
        private boolean terminated;
        private double averageRecordBytes = 1024;
        private volatile Runnable leaveBudget = () -> {
        };

        Processor(MultiSubscriber<? super DeliveryBatch> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            synchronized (lock) {
                subscription = s;
            }
            leaveBudget = budget.onRelease(this::drain);
            downstream.onSubscribe(this);
            drain();
        }

        @Override
        public void onItem(PendingRecord record) {
            synchronized (lock) {
                outstanding = Math.max(0, outstanding - 1);
                if (record.isDeadLetter()) {
                    DeliveryBatch batch = DeliveryBatch.deadLetter(record);
                    ready.add(batch);
                    readyBytes += batch.bytes();
                } else {
                    averageRecordBytes = averageRecordBytes * 0.99 + record.size() * 0.01;
                    add(record);
                }
            }
            drain();
        }

        @Override
        public void onFailure(Throwable t) {
            synchronized (lock) {
                failure = t;
                upstreamDone = true;
                seal();
            }
            drain();
        }

        @Override
        public void onCompletion() {
            synchronized (lock) {
                upstreamDone = true;
                seal();
            }
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                downstream.onFailure(new IllegalArgumentException("request must be positive"));
                return;
            }
            synchronized (lock) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            Flow.Subscription s;
            List<DeliveryBatch> unreleased;
            synchronized (lock) {
                cancelled = true;
                s = subscription;
                cancelLinger();
                unreleased = List.copyOf(emitted);
                emitted.clear();
            }
            unreleased.forEach(b -> b.release(budget));
            leaveBudget.run();
            if (s != null) {
                s.cancel();
            }
        }

        void stop() {
            synchronized (lock) {
                stopped = true;
                seal();
            }
            drain();
        }

        boolean isIdle() {
            synchronized (lock) {
                return open == null && ready.isEmpty();
            }
        }

        /** Called with the lock held. */
        private void add(PendingRecord record) {
            if (open != null && (open.size() >= maxRecords || openBytes + record.size() > maxBatchBytes)) {
                seal();
            }
            if (open == null) {
                // Sized for the records a batch of average ones holds, so the list is not grown (and copied) six times a batch.
                open = new ArrayList<>((int) Math.min(maxRecords, maxBatchBytes / Math.max(1.0, averageRecordBytes) + 1));
                openBytes = 0;
                long generation = ++openGeneration;
                lingerTask = timer.schedule(() -> lingerExpired(generation), lingerNanos, TimeUnit.NANOSECONDS);
            }
            open.add(record);
            openBytes += record.size();
            if (open.size() >= maxRecords || stopped) {
                seal();
            }
        }

        /** Called with the lock held. */
        private void seal() {
            if (open == null) {
                return;
            }
            DeliveryBatch batch = new DeliveryBatch(Collections.unmodifiableList(open), openBytes, false); // open is let go below
            ready.add(batch);
            readyBytes += batch.bytes();
            open = null;
            openBytes = 0;
            cancelLinger();
        }

        private void cancelLinger() {
            if (lingerTask != null) {
                lingerTask.cancel(false);
                lingerTask = null;
            }
        }

        private void lingerExpired(long generation) {
            synchronized (lock) {
                if (open == null || generation != openGeneration) {
                    return;
                }
                seal();
            }
            drain();
        }

        /** Emits what may be emitted and requests what may be requested; safe to call from any thread. */
        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (true) {
                    DeliveryBatch emit = null;
                    long toRequest = 0;
                    Flow.Subscription s;
                    boolean complete = false;
                    Throwable fail = null;
                    synchronized (lock) {
                        s = subscription;
                        if (cancelled || terminated) {
                            break;
                        }
                        DeliveryBatch head = ready.peek();
                        if (demand > 0 && head != null && budget.tryAcquire(head.bytes())) {
                            emit = ready.poll();
                            readyBytes -= emit.bytes();
                            demand--;
                            emitted.removeIf(DeliveryBatch::isReleased);
                            emitted.add(emit);
                        } else if (upstreamDone && ready.isEmpty() && open == null) {
                            terminated = true;
                            fail = failure;
                            complete = fail == null;
                        } else if (!upstreamDone && !stopped && outstanding == 0 && s != null && ready.size() < MAX_READY) {
                            long room = budget.available() - readyBytes - openBytes;
                            if (room > 0) {
                                toRequest = Math.max(1, Math.min(maxRecords, (long) (room / Math.max(1.0, averageRecordBytes))));
                                outstanding = toRequest;
                            }
                        }
                    }
                    if (emit != null) {
                        downstream.onItem(emit);
                        continue;
                    }
                    if (complete || fail != null) {
                        leaveBudget.run();
                    }
                    if (complete) {
                        downstream.onCompletion();
                    } else if (fail != null) {
                        downstream.onFailure(fail);
                    } else if (toRequest > 0) {
                        s.request(toRequest);
                    }
                    break;
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
