package io.firehosebridge.delivery.settle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

class PollSettlementTest {

    private final List<String> settled = new CopyOnWriteArrayList<>();

    private final Message<String> poll = Message.of("poll", () -> {
        settled.add("ack");
        return CompletableFuture.completedFuture(null);
    }, reason -> {
        settled.add("nack: " + reason.getMessage());
        return CompletableFuture.completedFuture(null);
    });

    @Test
    void acknowledgesThePollOnlyWhenItsLastRecordIsAcknowledged() {
        PollSettlement settlement = new PollSettlement(poll, 3);
        settlement.ack();
        settlement.ack();
        assertThat(settled).isEmpty();
        settlement.ack();
        assertThat(settled).containsExactly("ack");
    }

    @Test
    void nacksThePollAtTheFirstNackAndNeverAcknowledgesIt() {
        PollSettlement settlement = new PollSettlement(poll, 3);
        settlement.ack();
        settlement.nack(new IllegalStateException("dead-letter topic down"));
        settlement.nack(new IllegalStateException("again"));
        assertThat(settled).containsExactly("nack: dead-letter topic down");
    }

    @Test
    void refusesMoreSettlementsThanRecords() {
        PollSettlement settlement = new PollSettlement(poll, 1);
        settlement.ack();
        assertThatThrownBy(settlement::ack).isInstanceOf(IllegalStateException.class);
        assertThat(settled).containsExactly("ack");
    }
}
