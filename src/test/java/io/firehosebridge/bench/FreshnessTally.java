package io.firehosebridge.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Counts, for the freshness scenario, when each produced event first became searchable. The producer registers
 * every Kafka timestamp before it sends the record; each poll of the index reports how many documents it found per
 * millisecond of Kafka timestamp. Documents a poll finds beyond what earlier polls credited to that millisecond are
 * new: each one yields a sample of (time the poll was sent − Kafka timestamp). Events of the same millisecond are
 * interchangeable, so no document identity is needed; a millisecond is never credited more documents than were
 * produced in it, so duplicates (normal with at-least-once delivery) cannot add samples. Every event is therefore
 * sampled exactly once if it ever becomes searchable, and {@link #missing()} says how many never did.
 *
 * <p>Error of one sample: the document became visible after the previous poll was sent and before this poll's
 * response came back, so the sample overstates the true latency by less than the gap between the two sends and
 * understates it by less than this poll's response time. {@link #maxGapMillis()} and {@link #maxResponseMillis()}
 * bound both over every poll that credited a sample. Thread-safe.
 */
final class FreshnessTally {

    private final NavigableMap<Long, long[]> byMillisecond = new TreeMap<>(); // timestamp -> {produced, credited, surplus}
    private final List<Long> latencies = new ArrayList<>();
    private final List<Long> sampledTimestamps = new ArrayList<>(); // parallel to latencies
    private final List<long[]> searchableOverTime = new ArrayList<>(); // {poll sent at, samples so far}
    private long produced;
    private long foreign;
    private long lastSent = Long.MIN_VALUE;
    private long maxGap;
    private long maxResponse;

    /** An event with this Kafka timestamp is about to be sent. */
    synchronized void produced(long timestamp) {
        byMillisecond.computeIfAbsent(timestamp, t -> new long[3])[0]++;
        produced++;
    }

    /**
     * The smallest timestamp that still has events not seen; a poll need not look below it. When every event
     * produced so far was seen, the millisecond after the newest one.
     */
    synchronized long pendingFrom() {
        for (Map.Entry<Long, long[]> e : byMillisecond.entrySet()) {
            if (e.getValue()[1] < e.getValue()[0]) {
                return e.getKey();
            }
        }
        return byMillisecond.isEmpty() ? 0 : byMillisecond.lastKey() + 1;
    }

    /**
     * One poll's result: documents found per Kafka timestamp, for timestamps at or above what {@link #pendingFrom()}
     * returned before the poll. {@code sentAt} is when the poll was sent, {@code answeredAt} when its answer was read.
     */
    synchronized void polled(long sentAt, long answeredAt, Map<Long, Long> documentsByTimestamp) {
        long gap = lastSent == Long.MIN_VALUE ? 0 : sentAt - lastSent;
        lastSent = sentAt;
        long credited = 0;
        for (Map.Entry<Long, Long> e : documentsByTimestamp.entrySet()) {
            long[] counts = byMillisecond.get(e.getKey());
            long found = e.getValue();
            if (counts == null) {
                foreign += found; // not an event of this run; cannot happen while the query filters by topic
                continue;
            }
            long fresh = Math.min(found, counts[0]) - counts[1];
            for (long i = 0; i < fresh; i++) {
                latencies.add(sentAt - e.getKey());
                sampledTimestamps.add(e.getKey());
            }
            if (fresh > 0) {
                counts[1] += fresh;
                credited += fresh;
            }
            counts[2] = Math.max(counts[2], found - counts[0]);
        }
        if (credited > 0) {
            maxGap = Math.max(maxGap, gap);
            maxResponse = Math.max(maxResponse, answeredAt - sentAt);
            searchableOverTime.add(new long[] { sentAt, latencies.size() });
        }
    }

    synchronized long producedCount() {
        return produced;
    }

    synchronized long samples() {
        return latencies.size();
    }

    /** Documents seen beyond the events produced with their timestamp (a lower bound on duplicates: seen events are not polled again). */
    synchronized long duplicates() {
        return byMillisecond.values().stream().mapToLong(c -> c[2]).sum();
    }

    /** Documents found whose timestamp no event of this run had. */
    synchronized long foreign() {
        return foreign;
    }

    /** Produced events never seen in the index. */
    synchronized long missing() {
        return produced - latencies.size();
    }

    /** Longest gap between two poll sends, over polls that credited samples: how much a sample may overstate. */
    synchronized long maxGapMillis() {
        return maxGap;
    }

    /** Longest poll response time, over polls that credited samples: how much a sample may understate. */
    synchronized long maxResponseMillis() {
        return maxResponse;
    }

    /** The p-quantile (0 < p <= 1) of the samples in seconds, nearest rank; NaN without samples. */
    synchronized double percentileSeconds(double p) {
        if (latencies.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))] / 1000.0;
    }

    /**
     * The samples by second of production, from the first event on: {p50, p99, max} in seconds for each second, to show
     * whether slow events cluster (at the start, around one slow delivery) or spread evenly.
     */
    synchronized List<double[]> bySecondOfProduction() {
        if (byMillisecond.isEmpty()) {
            return List.of();
        }
        long start = byMillisecond.firstKey();
        List<List<Long>> seconds = new ArrayList<>();
        for (int i = 0; i < latencies.size(); i++) {
            int second = (int) ((sampledTimestamps.get(i) - start) / 1000);
            while (seconds.size() <= second) {
                seconds.add(new ArrayList<>());
            }
            seconds.get(second).add(latencies.get(i));
        }
        List<double[]> out = new ArrayList<>();
        for (List<Long> second : seconds) {
            long[] sorted = second.stream().mapToLong(Long::longValue).sorted().toArray();
            out.add(sorted.length == 0 ? new double[] { Double.NaN, Double.NaN, Double.NaN }
                    : new double[] { sorted[(sorted.length - 1) / 2] / 1000.0, sorted[(int) Math.ceil(0.99 * sorted.length) - 1] / 1000.0,
                            sorted[sorted.length - 1] / 1000.0 });
        }
        return out;
    }

    /** When the n-th event (1-based, in Kafka timestamp order) was produced. */
    synchronized long producedAt(long n) {
        long seen = 0;
        for (Map.Entry<Long, long[]> e : byMillisecond.entrySet()) {
            seen += e.getValue()[0];
            if (seen >= n) {
                return e.getKey();
            }
        }
        return Long.MAX_VALUE;
    }

    /** The polls that found new events: {poll sent at, events searchable so far}. */
    synchronized List<long[]> searchableOverTime() {
        return List.copyOf(searchableOverTime);
    }
}
