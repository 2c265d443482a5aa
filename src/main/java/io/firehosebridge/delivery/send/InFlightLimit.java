package io.firehosebridge.delivery.send;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * What may be in flight to Firehose at once: bytes ({@code bridge.delivery.max-in-flight-bytes}, the memory bound) and calls
 * (the adaptive concurrency's current limit). Custom because Mutiny has no weighted asynchronous semaphore: {@code merge(n)}
 * bounds a fixed number of items, not bytes, and not a number that changes while the stream runs.
 *
 * <p>Each stream (the live one, each re-drive) takes a {@link Lease}. What a lease holds goes back when its stream
 * terminates in any way ({@link Lease#close}, called from the stream's {@code onTermination}), so a downstream that cancels
 * mid-flight can leave nothing held: the batcher this replaces once kept a cancelled re-drive's last batch for good.
 */
public final class InFlightLimit {

    private final long maxBytes;
    private int maxCalls;
    private long bytes;
    private int calls;
    private long peakBytes;
    /** Waiting acquisitions, oldest first; a grant takes any that fits (a poll waiting for bytes must not block its own calls). */
    private final LinkedHashSet<Waiter> waiters = new LinkedHashSet<>();

    public InFlightLimit(long maxBytes, int maxCalls) {
        if (maxBytes <= 0 || maxCalls <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxCalls = maxCalls;
    }

    /** A new share of this limit for one stream. */
    public Lease lease() {
        return new Lease();
    }

    /** Changes the number of calls allowed in flight (the adaptive concurrency's output); calls already in flight go on. */
    public void maxCalls(int n) {
        List<Runnable> granted;
        synchronized (this) {
            maxCalls = Math.max(1, n);
            granted = grant();
        }
        granted.forEach(Runnable::run);
    }

    public synchronized int maxCalls() {
        return maxCalls;
    }

    public synchronized long inFlightBytes() {
        return bytes;
    }

    public synchronized int inFlightCalls() {
        return calls;
    }

    public synchronized long peakBytes() {
        return peakBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Called with the lock held: takes what fits for every waiter it can, oldest first, and returns the completions to run
     * outside the lock. A call fits when a slot is free. A poll's bytes fit within the bound (a poll larger than the whole
     * bound goes through when nothing else is in flight, so it cannot starve), and only while a call slot is free and no
     * older call waits for one: a poll that could not be sent yet would only hold its bytes, and Kafka keeps records better
     * than the heap. Without that, every slow call or quota-bound wait let polls pile up to the whole bound (issue 28's
     * backlog run: 31.9 of 32 MiB in flight while eight calls were moving 1 MiB/s).
     */
    private List<Runnable> grant() {
        List<Runnable> granted = new ArrayList<>();
        boolean callWaits = false;
        for (Iterator<Waiter> i = waiters.iterator(); i.hasNext();) {
            Waiter w = i.next();
            boolean fits;
            if (w.calls > 0) {
                fits = calls < maxCalls;
                callWaits |= !fits;
            } else {
                fits = (w.bytes == 0 || bytes + w.bytes <= maxBytes || bytes == 0) && !callWaits && calls < maxCalls;
            }
            if (fits) {
                i.remove();
                take(w.lease, w.bytes, w.calls);
                granted.add(w.onGrant);
            }
        }
        return granted;
    }

    private void take(Lease lease, long b, int c) {
        bytes += b;
        calls += c;
        lease.bytes += b;
        lease.calls += c;
        peakBytes = Math.max(peakBytes, bytes);
    }

    private List<Runnable> give(Lease lease, long b, int c) {
        long bb = Math.min(b, lease.bytes);
        int cc = Math.min(c, lease.calls);
        lease.bytes -= bb;
        lease.calls -= cc;
        bytes -= bb;
        calls -= cc;
        return grant();
    }

    /** One waiting acquisition (identity, not value, equality: two alike are still two). */
    private static final class Waiter {
        final Lease lease;
        final long bytes;
        final int calls;
        final Runnable onGrant;

        Waiter(Lease lease, long bytes, int calls, Runnable onGrant) {
            this.lease = lease;
            this.bytes = bytes;
            this.calls = calls;
            this.onGrant = onGrant;
        }
    }

    /** One stream's share: what it holds, given back as its calls settle or all at once when it closes. */
    public final class Lease {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;

        private long bytes;
        private int calls;
        private boolean closed;

        private Lease() {
        }

        /** Completes once {@code n} bytes are taken for this stream; a cancellation while waiting takes nothing. */
        public Uni<Void> bytes(long n) {
            return Uni.createFrom().emitter(e -> {
                Waiter w = new Waiter(this, n, 0, () -> e.complete(null));
                // Ended before the grant (cancelled): no longer waiting. After a grant the waiter is gone already.
                e.onTermination(() -> {
                    synchronized (InFlightLimit.this) {
                        waiters.remove(w);
                    }
                });
                enqueue(w);
            });
        }

        /**
         * Runs {@code call} within one call slot, then gives back the slot and {@code bytes} (taken earlier with
         * {@link #bytes}) exactly once, however the call ends: item, failure, or cancellation while waiting or running.
         */
        public <T> Uni<T> call(long bytes, Supplier<Uni<T>> call) {
            return Uni.createFrom().emitter(e -> {
                AtomicInteger state = new AtomicInteger(WAITING);
                AtomicReference<Cancellable> running = new AtomicReference<>();
                Waiter w = new Waiter(this, 0, 1, () -> {
                    if (state.compareAndSet(WAITING, RUNNING)) {
                        running.set(call.get().subscribe().with(item -> {
                            if (state.compareAndSet(RUNNING, DONE)) {
                                release(bytes, 1);
                                e.complete(item);
                            }
                        }, failure -> {
                            if (state.compareAndSet(RUNNING, DONE)) {
                                release(bytes, 1);
                                e.fail(failure);
                            }
                        }));
                        if (state.get() == DONE) {
                            // Cancelled while it was being subscribed, the cancellation finding no call to cancel (after a
                            // completion, which also leaves DONE, cancelling does nothing).
                            running.get().cancel();
                        }
                    }
                });
                // After an item or a failure the state is DONE already and this does nothing; otherwise it was cancelled.
                e.onTermination(() -> {
                    boolean waiting;
                    synchronized (InFlightLimit.this) {
                        waiting = waiters.remove(w);
                    }
                    if (waiting) {
                        state.set(DONE);
                        release(bytes, 0);
                    } else if (state.getAndSet(DONE) != DONE) {
                        // Granted (perhaps not started yet, then it never starts) or running.
                        Cancellable r = running.get();
                        if (r != null) {
                            r.cancel();
                        }
                        release(bytes, 1);
                    }
                });
                enqueue(w);
            });
        }

        /** Gives back what this stream holds: a call's bytes and slot, or bytes of records that will not be sent. */
        public void release(long bytes, int calls) {
            List<Runnable> granted;
            synchronized (InFlightLimit.this) {
                if (closed) {
                    return;
                }
                granted = give(this, bytes, calls);
            }
            run(granted);
        }

        /** Gives back all this stream holds and drops its waiters; later releases do nothing. */
        public void close() {
            List<Runnable> granted;
            synchronized (InFlightLimit.this) {
                if (closed) {
                    return;
                }
                closed = true;
                waiters.removeIf(w -> w.lease == this);
                granted = give(this, this.bytes, this.calls);
            }
            run(granted);
        }

        /** Bytes this stream holds now. */
        public long heldBytes() {
            synchronized (InFlightLimit.this) {
                return bytes;
            }
        }

        private void enqueue(Waiter w) {
            List<Runnable> granted;
            synchronized (InFlightLimit.this) {
                if (closed) {
                    return;
                }
                waiters.add(w);
                granted = grant();
            }
            run(granted);
        }
    }

    private static void run(List<Runnable> granted) {
        granted.forEach(Runnable::run);
    }
}
