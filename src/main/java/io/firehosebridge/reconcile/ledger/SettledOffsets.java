package io.firehosebridge.reconcile.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of a partition no send can still reach the destinations with: those this replica saw committed by the group
 * at least a delivery window ago, while it owned the partition. The group commits an offset only after every record before
 * it was accepted (or dead-lettered), and after the commit no consumer sends those records again; a send the ledger never
 * heard of (its owner was killed before the ledger flush) happened before the partition was assigned here. So a span is
 * settled once a commit past it has been seen here for a delivery window: every copy of its records that will ever arrive
 * has had its delivery window, and one check then sees them all.
 *
 * <p>Pure logic: the verifier feeds it the committed offsets it reads; samples taken before the partition was (re)assigned
 * here are dropped, so a takeover restarts the clock.
 */
final class SettledOffsets {

    private record Sample(Instant at, long committed) {
    }

    private record Watch(Instant ownedSince, Deque<Sample> samples) {
    }

    private final Map<TopicPartition, Watch> watches = new ConcurrentHashMap<>();

    /**
     * Records the group's committed offset seen now.
     *
     * @param ownedSince when this replica was assigned the partition
     * @return true when the committed offset went back (the group's offsets were reset: records below the last one are being
     *         sent again)
     */
    boolean observe(TopicPartition tp, long committed, Instant ownedSince, Instant now, Duration window) {
        Watch watch = watches.compute(tp, (k, w) -> w == null || !w.ownedSince().equals(ownedSince) ? new Watch(ownedSince, new ArrayDeque<>()) : w);
        synchronized (watch) {
            Deque<Sample> samples = watch.samples();
            Sample last = samples.peekLast();
            if (last != null && committed < last.committed()) {
                samples.clear();
                samples.add(new Sample(now, committed));
                return true;
            }
            if (last == null || committed > last.committed()) {
                samples.add(new Sample(now, committed));
            }
            // An old sample is of no use once a later one is old enough too: the later one settles more.
            while (samples.size() > 1) {
                Sample oldest = samples.removeFirst();
                if (samples.peekFirst().at().plus(window).isAfter(now)) {
                    samples.addFirst(oldest);
                    break;
                }
            }
            return false;
        }
    }

    /** Whether every offset up to {@code last} was seen committed here at least {@code window} before {@code now}. */
    boolean settled(TopicPartition tp, long last, Instant now, Duration window) {
        return last < settledTo(tp, now, window);
    }

    /** The offset below which every offset was seen committed here at least {@code window} before {@code now}; -1 when none. */
    long settledTo(TopicPartition tp, Instant now, Duration window) {
        Watch watch = watches.get(tp);
        if (watch == null) {
            return -1;
        }
        synchronized (watch) {
            long settled = -1;
            for (Sample s : watch.samples()) {
                if (s.at().plus(window).isAfter(now)) {
                    break;
                }
                settled = s.committed();
            }
            return settled;
        }
    }

    /** Forgets partitions this replica no longer owns. */
    void retainOnly(java.util.Set<TopicPartition> owned) {
        watches.keySet().retainAll(owned);
    }
}
