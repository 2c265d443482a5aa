package io.firehosebridge.reconcile.ledger;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * The partitions of the {@code clicks} channel this replica consumes now, kept by the connector's
 * rebalance callbacks (wired in application.properties). The ledger verifier checks, and its gauges
 * count, only these partitions: each partition is verified by one replica of the group, and the
 * group's numbers are the sum (or max) over replicas. Works for eager and cooperative assignment alike
 * (each callback names only the partitions that change), and for several consumers in one replica.
 */
@ApplicationScoped
@Identifier(PartitionOwnership.NAME)
public class PartitionOwnership implements KafkaConsumerRebalanceListener {

    /** The name the channel's {@code consumer-rebalance-listener.name} refers to. */
    public static final String NAME = "clicks-partitions";
    private static final Logger LOG = Logger.getLogger(PartitionOwnership.class);

    private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoked(partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoked(partitions);
    }

    void assigned(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            owned.addAll(partitions);
            LOG.infof("Now consuming (and verifying) %s; all owned: %s", partitions, owned);
        }
    }

    void revoked(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            owned.removeAll(partitions);
            LOG.infof("No longer consuming (or verifying) %s; still owned: %s", partitions, owned);
        }
    }

    /** Whether this replica consumes the partition now. */
    public boolean owns(String topic, int partition) {
        return owned.contains(new TopicPartition(topic, partition));
    }

    /** Partitions this replica consumes now. */
    public int count() {
        return owned.size();
    }
}
