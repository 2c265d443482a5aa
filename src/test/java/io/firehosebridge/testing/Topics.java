package io.firehosebridge.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Topics made for a test, ready to be written to. A created topic's partitions get their leader a moment after the
 * creation is acknowledged, and the broker takes a partition up for writes a moment after its metadata names the leader. A
 * producer writing in that moment was answered NOT_LEADER_OR_FOLLOWER for its first batch while its second was
 * appended; the idempotent producer then resent the first with a sequence the broker had passed and failed every batch
 * for that partition with OutOfOrderSequenceException until its delivery timeout (the benchmark's routes scenario, twice
 * on 2026-12-07, the second time after waiting for leaders in the metadata only). So each partition must also have
 * answered a ListOffsets, which its leader serves from the same state as a write.
 */
public final class Topics {

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private Topics() {
    }

    /** Creates {@code topics} and returns once every partition of each has a leader that serves it. */
    public static void create(Admin admin, Collection<NewTopic> topics) throws InterruptedException, ExecutionException, TimeoutException {
        admin.createTopics(topics).all().get(READY_WITHIN.toSeconds(), TimeUnit.SECONDS);
        List<String> names = topics.stream().map(NewTopic::name).toList();
        AtomicReference<Map<String, TopicDescription>> described = new AtomicReference<>();
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    described.set(led(admin, names));
                    return described.get() != null;
                });
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        described.get().values().forEach(d -> d.partitions()
                .forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        // The admin client retries a partition whose leader does not serve it yet, within its own timeout.
        admin.listOffsets(partitions).all().get(READY_WITHIN.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@link #create(Admin, Collection)} with an admin client of the local stack's Kafka. */
    public static void create(Collection<NewTopic> topics) throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            create(admin, topics);
        }
    }

    /** The topics' descriptions once every partition has a leader in the broker's metadata, else null. */
    private static Map<String, TopicDescription> led(Admin admin, List<String> names) throws InterruptedException, ExecutionException {
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(names, new DescribeTopicsOptions().timeoutMs(5_000)).allTopicNames().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return null; // e.g. not in the broker's metadata yet
            }
            throw e;
        }
        boolean led = described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        return led ? described : null;
    }
}
