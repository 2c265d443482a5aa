package io.firehosebridge.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Where the group starts on a partition it has no committed offset for ({@code bridge.ingest.start-position}), applied by
 * the {@code clicks} channel's rebalance listener when partitions are assigned, with the channel's own consumer. A partition
 * with a committed offset carries on from it whatever the setting says. Each start is logged once, with why it is there.
 */
@ApplicationScoped
public class GroupStart {

    /** The setting. */
    public static final String SETTING = StartPosition.SETTING;
    private static final Logger LOG = Logger.getLogger(GroupStart.class);
    /** Each lookup may take this long; Kafka's own retries happen within it. The poll thread waits, as it would for a fetch. */
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    /**
     * Where a partition started.
     *
     * @param partition the partition
     * @param offset the first offset the group reads
     * @param why the setting that chose it, and what it found
     */
    public record Started(TopicPartition partition, long offset, String why) {
    }

    private final Optional<StartPosition> position;
    private final String autoOffsetReset;

    @Inject
    public GroupStart(IngestConfig config,
            // Channel wiring stays in application.properties; what the consumer does without a start position is read from there.
            @ConfigProperty(name = "mp.messaging.incoming.clicks.auto.offset.reset", defaultValue = "latest") String autoOffsetReset) {
        this(config.startPosition().map(StartPosition::parse), autoOffsetReset);
    }

    /** With the setting already read; unset, the consumer's {@code auto.offset.reset} decides. */
    public GroupStart(Optional<StartPosition> position, String autoOffsetReset) {
        this.position = position;
        this.autoOffsetReset = autoOffsetReset;
    }

    /** A bad value stops the start (the constructor reads it), naming the setting. */
    void validate(@Observes StartupEvent event) {
        position.ifPresent(p -> LOG.infof("Partitions the group has no committed offset for start at %s (%s)", p.describe(),
                StartPosition.SETTING));
    }

    /**
     * Places the consumer on each of {@code partitions} that the group has no committed offset for; called on the consumer's
     * own thread, from its rebalance callback, before it fetches them.
     *
     * @return where those partitions start; empty when every partition has a committed offset
     */
    public List<Started> place(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions), LOOKUP_TIMEOUT);
        List<TopicPartition> fresh = partitions.stream().filter(tp -> committed.get(tp) == null).sorted(ORDER).toList();
        if (fresh.isEmpty()) {
            return List.of();
        }
        List<Started> started = position.isEmpty() ? byAutoOffsetReset(consumer, fresh) : switch (position.get().kind()) {
            case EARLIEST -> seek(consumer, consumer.beginningOffsets(fresh, LOOKUP_TIMEOUT));
            case LATEST -> seek(consumer, consumer.endOffsets(fresh, LOOKUP_TIMEOUT));
            case TIMESTAMP -> seekToTime(consumer, fresh, position.get().time());
        };
        started.forEach(s -> LOG.infof("%s starts at offset %d: the group has no committed offset for it; %s", s.partition(), s.offset(), s.why()));
        return started;
    }

    private List<Started> seek(Consumer<?, ?> consumer, Map<TopicPartition, Long> offsets) {
        List<Started> started = new ArrayList<>();
        offsets.entrySet().stream().sorted(Map.Entry.comparingByKey(ORDER)).forEach(e -> {
            consumer.seek(e.getKey(), e.getValue());
            started.add(new Started(e.getKey(), e.getValue(), StartPosition.SETTING + "=" + position.get() + ": " + position.get().describe()));
        });
        return started;
    }

    private List<Started> seekToTime(Consumer<?, ?> consumer, List<TopicPartition> fresh, Instant time) {
        Map<TopicPartition, Long> at = new HashMap<>();
        fresh.forEach(tp -> at.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(at, LOOKUP_TIMEOUT);
        Set<TopicPartition> none = new HashSet<>();
        fresh.stream().filter(tp -> found.get(tp) == null).forEach(none::add);
        Map<TopicPartition, Long> ends = none.isEmpty() ? Map.of() : consumer.endOffsets(none, LOOKUP_TIMEOUT);
        List<Started> started = new ArrayList<>();
        for (TopicPartition tp : fresh) {
            OffsetAndTimestamp hit = found.get(tp);
            long offset = hit != null ? hit.offset() : ends.get(tp);
            consumer.seek(tp, offset);
            started.add(new Started(tp, offset, StartPosition.SETTING + "=" + time + ": "
                    + (hit != null ? "its first record at or after that time, written " + Instant.ofEpochMilli(hit.timestamp())
                            : "no record at or after that time, so the end of the log")));
        }
        return started;
    }

    /** Without the setting the consumer resets by itself; asking its position makes it do so now, so the start is known. */
    private List<Started> byAutoOffsetReset(Consumer<?, ?> consumer, List<TopicPartition> fresh) {
        List<Started> started = new ArrayList<>();
        for (TopicPartition tp : fresh) {
            try {
                started.add(new Started(tp, consumer.position(tp, LOOKUP_TIMEOUT), StartPosition.SETTING + " unset: auto.offset.reset="
                        + autoOffsetReset));
            } catch (NoOffsetForPartitionException e) {
                // auto.offset.reset=none: the consumer's own poll fails the same way and says so.
                return started;
            }
        }
        return started;
    }
}
