package io.firehosebridge.delivery.batch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * How a pending record tells the Kafka connector its fate, exactly once: {@link #ack()} when Firehose
 * or the dead-letter topic has it, {@link #nack(Throwable)} when neither could take it (which stops the
 * channel; nothing is skipped).
 */
public interface Settlement {

    /** The record is safe; the returned stage completes when the connector has taken note. */
    CompletionStage<Void> ack();

    /** The record could not be delivered nor dead-lettered. */
    CompletionStage<Void> nack(Throwable reason);

    /** Re-driven records: their offsets were committed long ago, so there is nothing to settle. */
    Settlement NONE = new Settlement() {
        @Override
        public CompletionStage<Void> ack() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> nack(Throwable reason) {
            return CompletableFuture.completedFuture(null);
        }
    };

    /** Settles one message directly. */
    static Settlement of(Message<?> message) {
        return new Settlement() {
            @Override
            public CompletionStage<Void> ack() {
                return message.ack();
            }

            @Override
            public CompletionStage<Void> nack(Throwable reason) {
                return message.nack(reason);
            }
        };
    }
}
