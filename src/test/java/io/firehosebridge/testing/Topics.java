package io.firehosebridge.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topics made for a test, ready to be written to. A created topic's partitions get their leader a moment after the
 * creation is acknowledged; a producer writing in that moment was answered NOT_LEADER_OR_FOLLOWER, and once (the
 * benchmark's routes scenario, 2026-12-07) the idempotent producer then resent its first batch with a sequence the broker
 * had passed and failed every batch for that partition with OutOfOrderSequenceException until its delivery timeout.
 */
public final class Topics {

    private static final Duration LEADERS_WITHIN = Duration.ofSeconds(30);

    private Topics() {
    }

    /** Creates {@code topics} and returns once every partition of each has a leader. */
    public static void create(Admin admin, Collection<NewTopic> topics) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        List<String> names = topics.stream().map(NewTopic::name).toList();
        long deadline = System.nanoTime() + LEADERS_WITHIN.toNanos();
        while (!led(admin, names)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + names + " without a leader after " + LEADERS_WITHIN);
            }
            Thread.sleep(20);
        }
    }

    /** {@link #create(Admin, Collection)} with an admin client of the local stack's Kafka. */
    public static void create(Collection<NewTopic> topics) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            create(admin, topics);
        }
    }

    private static boolean led(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(names).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // not in the broker's metadata yet
            }
            throw e;
        }
        return described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }
}
