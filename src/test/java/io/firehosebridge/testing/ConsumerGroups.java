package io.firehosebridge.testing;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer group as tests and benchmarks wait for it: Stable, with every partition of a topic assigned to one of its
 * members. Until that holds, a bridge that has just started or a group that is rebalancing is not consuming the whole
 * topic yet: a benchmark waits for it before it starts its clock, a scaling scenario times how long it takes.
 */
public final class ConsumerGroups {

    private ConsumerGroups() {
    }

    /**
     * The group as the broker describes it now. Until its first member joins, Kafka 4 clients fail: the
     * {@link ExecutionException} thrown here then has a {@code GroupIdNotFoundException} as its cause.
     */
    public static ConsumerGroupDescription describe(Admin admin, String group) throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
    }

    /** How many partitions {@code topic} has. */
    public static int partitions(Admin admin, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
    }

    /** Whether {@code group} is Stable with each of the {@code partitions} partitions of {@code topic} assigned to a member. */
    public static boolean settled(ConsumerGroupDescription group, String topic, int partitions) {
        long assigned = group.members().stream().flatMap(m -> m.assignment().topicPartitions().stream())
                .filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition).distinct().count();
        return group.groupState() == GroupState.STABLE && assigned == partitions;
    }
}
