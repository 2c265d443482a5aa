package io.firehosebridge.reconcile.ledger;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.firehosebridge.ingest.GroupStart;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * The partitions of the {@code clicks} channel this replica consumes now, kept by the connector's
 * rebalance callbacks (wired in application.properties). The ledger verifier checks, and its gauges
 * count, only these partitions: each partition is verified by one replica of the group, and the
 * group's numbers are the sum (or max) over replicas. Works for eager and cooperative assignment alike
 * (each callback names only the partitions that change), and for several consumers in one replica.
 * <p>
 * The connector takes one listener per channel, so this one also places the consumer on a partition the group has no
 * committed offset for ({@link GroupStart}, {@code bridge.ingest.start-position}) and has the ledger remember where the
 * group started there, the reconciliation's default beginning.
 */
@ApplicationScoped
@Identifier(PartitionOwnership.NAME)
public class PartitionOwnership implements KafkaConsumerRebalanceListener {

    /** The name the channel's {@code consumer-rebalance-listener.name} refers to. */
    public static final String NAME = "clicks-partitions";
    private static final Logger LOG = Logger.getLogger(PartitionOwnership.class);

    /**
     * Per consumer (its identity): a consumer fenced out of the group may report a partition lost after
     * another consumer of this replica was assigned it, which must not make this replica drop it.
     */
    private final Map<Object, Set<TopicPartition>> owned = new ConcurrentHashMap<>();
    /** When each partition was last assigned here: sends of it by an earlier owner all happened before then. */
    private final Map<TopicPartition, Instant> since = new ConcurrentHashMap<>();

    @Inject
    GroupStart start;

    @Inject
    DeliveryLedger ledger;

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned(consumer, partitions);
        // On the consumer's thread before it fetches: a seek here decides where the first fetch of the partition reads.
        try {
            start.place(consumer, partitions).forEach(ledger::markStarted);
        } catch (RuntimeException e) {
            // Thrown on, the consumer would still fetch the partitions, placed by auto.offset.reset: so the same, said once here.
            LOG.errorf(e, "Could not place %s by %s; those without a committed offset start "
                    + "where the channel's auto.offset.reset says", partitions, GroupStart.SETTING);
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoked(consumer, partitions);
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        revoked(consumer, partitions);
    }

    void assigned(Object consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            owned.compute(consumer, (c, set) -> {
                Set<TopicPartition> now = set == null ? ConcurrentHashMap.newKeySet() : set;
                now.addAll(partitions);
                return now;
            });
            Instant at = Instant.now();
            partitions.forEach(tp -> since.put(tp, at));
            LOG.infof("Now consuming (and verifying) %s; all owned: %s", partitions, all());
        }
    }

    void revoked(Object consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            owned.computeIfPresent(consumer, (c, set) -> {
                set.removeAll(partitions);
                return set.isEmpty() ? null : set;
            });
            Set<TopicPartition> still = all();
            partitions.stream().filter(tp -> !still.contains(tp)).forEach(since::remove);
            LOG.infof("No longer consuming (or verifying) %s; still owned: %s", partitions, all());
        }
    }

    private Set<TopicPartition> all() {
        Set<TopicPartition> union = new HashSet<>();
        owned.values().forEach(union::addAll);
        return union;
    }

    /** Whether this replica consumes the partition now. */
    public boolean owns(String topic, int partition) {
        TopicPartition tp = new TopicPartition(topic, partition);
        return owned.values().stream().anyMatch(set -> set.contains(tp));
    }

    /** When this replica was last assigned the partition, or null when it does not consume it now. */
    public Instant ownedSince(TopicPartition tp) {
        return owns(tp.topic(), tp.partition()) ? since.get(tp) : null;
    }

    /** Partitions this replica consumes now. */
    public Set<TopicPartition> owned() {
        return all();
    }

    /** Partitions this replica consumes now. */
    public int count() {
        return all().size();
    }
}
