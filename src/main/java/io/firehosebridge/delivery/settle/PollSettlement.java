package io.firehosebridge.delivery.settle;

import io.firehosebridge.delivery.batch.Settlement;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The settlement shared by every record of one Kafka poll (one batch message of the connector): the
 * message is acknowledged once all of its records are, and nacked at the first record that is nacked.
 * The connector's throttled commit strategy then commits a partition's offset only when every poll
 * before it is acknowledged too.
 */
public final class PollSettlement implements Settlement {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Message<?> poll;
    private final AtomicInteger unsettled;
    private final AtomicBoolean nacked = new AtomicBoolean();

    /** Settles {@code poll}, which holds {@code records} records (at least one). */
    public PollSettlement(Message<?> poll, int records) {
        if (records < 1) {
            throw new IllegalArgumentException("a poll settles at least one record, got " + records);
        }
        this.poll = poll;
        this.unsettled = new AtomicInteger(records);
    }

    @Override
    public CompletionStage<Void> ack() {
        int left = unsettled.decrementAndGet();
        if (left < 0) {
            throw new IllegalStateException("more records settled than the poll held");
        }
        return left == 0 && !nacked.get() ? poll.ack() : DONE;
    }

    @Override
    public CompletionStage<Void> nack(Throwable reason) {
        unsettled.decrementAndGet();
        return nacked.compareAndSet(false, true) ? poll.nack(reason) : DONE;
    }
}
