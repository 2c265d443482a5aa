package io.firehosebridge.reconcile.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The partitions a replica verifies follow the rebalances of its consumers. */
class PartitionOwnershipTest {

    private static TopicPartition tp(int p) {
        return new TopicPartition("clicks", p);
    }

    @Test
    void followsEagerRebalancesOfSeveralConsumersInOneReplica() {
        PartitionOwnership owned = new PartitionOwnership();
        owned.assigned(List.of(tp(0), tp(1), tp(2)));
        owned.assigned(List.of(tp(3)));
        assertThat(owned.count()).isEqualTo(4);
        // Eager: every consumer gives all back, then gets its new share.
        owned.revoked(List.of(tp(0), tp(1), tp(2)));
        owned.revoked(List.of(tp(3)));
        owned.assigned(List.of(tp(0), tp(1)));
        owned.assigned(List.of(tp(2)));
        assertThat(owned.owns("clicks", 0)).isTrue();
        assertThat(owned.owns("clicks", 3)).isFalse();
        assertThat(owned.owns("other", 0)).isFalse();
        assertThat(owned.count()).isEqualTo(3);
    }

    @Test
    void followsCooperativeRebalancesAndLostPartitions() {
        PartitionOwnership owned = new PartitionOwnership();
        owned.assigned(List.of(tp(0), tp(1), tp(2), tp(3), tp(4), tp(5)));
        // Cooperative: only the partitions that move are named.
        owned.revoked(List.of(tp(4), tp(5)));
        assertThat(owned.count()).isEqualTo(4);
        owned.assigned(List.of());
        assertThat(owned.count()).isEqualTo(4);
        owned.revoked(List.of(tp(0), tp(1), tp(2), tp(3)));
        assertThat(owned.count()).isZero();
        owned.assigned(List.of(tp(5)));
        owned.revoked(List.of(tp(5))); // lost (session expired): treated as revoked
        assertThat(owned.owns("clicks", 5)).isFalse();
    }
}
