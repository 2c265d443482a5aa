package io.firehosebridge.reconcile.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The partitions a replica verifies follow the rebalances of its consumers. */
class PartitionOwnershipTest {

    /** Stand-ins for a replica's consumers: the ownership tells them apart by identity, as the connector passes each one's own client. */
    private final Object first = new Object();
    private final Object second = new Object();

    private static TopicPartition tp(int p) {
        return new TopicPartition("clicks", p);
    }

    @Test
    void followsEagerRebalancesOfSeveralConsumersInOneReplica() {
        PartitionOwnership owned = new PartitionOwnership();
        owned.assigned(first, List.of(tp(0), tp(1), tp(2)));
        owned.assigned(second, List.of(tp(3)));
        assertThat(owned.count()).isEqualTo(4);
        // Eager: every consumer gives all back, then gets its new share.
        owned.revoked(first, List.of(tp(0), tp(1), tp(2)));
        owned.revoked(second, List.of(tp(3)));
        owned.assigned(first, List.of(tp(0), tp(1)));
        owned.assigned(second, List.of(tp(2)));
        assertThat(owned.owns("clicks", 0)).isTrue();
        assertThat(owned.owns("clicks", 3)).isFalse();
        assertThat(owned.owns("other", 0)).isFalse();
        assertThat(owned.count()).isEqualTo(3);
    }

    @Test
    void followsCooperativeRebalancesAndLostPartitions() {
        PartitionOwnership owned = new PartitionOwnership();
        owned.assigned(first, List.of(tp(0), tp(1), tp(2), tp(3), tp(4), tp(5)));
        // Cooperative: only the partitions that move are named.
        owned.revoked(first, List.of(tp(4), tp(5)));
        assertThat(owned.count()).isEqualTo(4);
        owned.assigned(first, List.of());
        assertThat(owned.count()).isEqualTo(4);
        owned.revoked(first, List.of(tp(0), tp(1), tp(2), tp(3)));
        assertThat(owned.count()).isZero();
        owned.assigned(first, List.of(tp(5)));
        owned.revoked(first, List.of(tp(5))); // lost (session expired): treated as revoked
        assertThat(owned.owns("clicks", 5)).isFalse();
    }

    @Test
    void aFencedConsumersLateLossDoesNotDropWhatAnotherLocalConsumerWasAssigned() {
        PartitionOwnership owned = new PartitionOwnership();
        owned.assigned(first, List.of(tp(0), tp(1)));
        owned.assigned(second, List.of(tp(2)));
        // The first consumer is fenced (session expired); the group gives partition 1 to the second consumer of this same replica...
        owned.assigned(second, List.of(tp(1)));
        // ...and only then does the fenced consumer report its partitions lost.
        owned.revoked(first, List.of(tp(0), tp(1)));
        assertThat(owned.owns("clicks", 1)).as("still consumed here, by the second consumer").isTrue();
        assertThat(owned.owns("clicks", 0)).isFalse();
        assertThat(owned.count()).isEqualTo(2);
        // A partition held by both while the fenced one has not yet reported is counted once.
        owned.assigned(first, List.of(tp(2)));
        assertThat(owned.count()).isEqualTo(2);
    }
}
