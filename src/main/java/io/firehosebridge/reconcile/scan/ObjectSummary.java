package io.firehosebridge.reconcile.scan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * What one S3 backup object holds, learned once and kept so the object is never read again: per
 * partition the offsets of its records as runs of consecutive offsets (a duplicate inside the object
 * starts a new run, so copies stay countable), and the runs of failed-document lines with their error.
 *
 * @param etag the object's ETag when it was read (a changed object is read again)
 * @param lines non-empty lines in the object
 * @param unreadable lines that were neither a delivered record nor a failed-document envelope with coordinates
 * @param runs per partition, flattened {@code first, last} pairs
 * @param failed per partition, the failed-document runs
 */
public record ObjectSummary(String etag, long lines, long unreadable, Map<TopicPartition, long[]> runs,
        Map<TopicPartition, List<FailedRun>> failed) {

    /** Consecutive offsets Firehose failed to index with the same error. */
    public record FailedRun(long first, long last, String errorCode, String errorMessage) {
    }

    /** Accumulates a summary while an object is streamed. */
    public static final class Builder {
        private final Map<TopicPartition, long[]> runs = new HashMap<>();
        private final Map<TopicPartition, Integer> sizes = new HashMap<>();
        private final Map<TopicPartition, List<FailedRun>> failed = new HashMap<>();
        private TopicPartition lastPartition;
        private long lines;
        private long unreadable;

        /** A delivered record's line. */
        public void record(String topic, int partition, long offset) {
            lines++;
            TopicPartition tp = partitionKey(topic, partition);
            long[] r = runs.get(tp);
            int size = sizes.getOrDefault(tp, 0);
            if (r != null && size > 0 && r[size - 1] == offset - 1) {
                r[size - 1] = offset;
                return;
            }
            if (r == null) {
                r = new long[8];
            } else if (size + 2 > r.length) {
                r = Arrays.copyOf(r, r.length * 2);
            }
            r[size] = offset;
            r[size + 1] = offset;
            runs.put(tp, r);
            sizes.put(tp, size + 2);
        }

        /** A failed-document envelope's line. */
        public void failed(String topic, int partition, long offset, String code, String message) {
            lines++;
            List<FailedRun> list = failed.computeIfAbsent(partitionKey(topic, partition), k -> new ArrayList<>());
            if (!list.isEmpty()) {
                FailedRun last = list.get(list.size() - 1);
                if (last.last() == offset - 1 && java.util.Objects.equals(last.errorCode(), code)
                        && java.util.Objects.equals(last.errorMessage(), message)) {
                    list.set(list.size() - 1, new FailedRun(last.first(), offset, code, message));
                    return;
                }
                // Share the strings: a failed object usually repeats one error many times.
                if (java.util.Objects.equals(last.errorMessage(), message)) {
                    message = last.errorMessage();
                }
            }
            list.add(new FailedRun(offset, offset, code, message));
        }

        /** A line that is not a record of any partition. */
        public void unreadable() {
            lines++;
            unreadable++;
        }

        private TopicPartition partitionKey(String topic, int partition) {
            if (lastPartition == null || lastPartition.partition() != partition || !lastPartition.topic().equals(topic)) {
                lastPartition = new TopicPartition(topic, partition);
            }
            return lastPartition;
        }

        public ObjectSummary build(String etag) {
            Map<TopicPartition, long[]> trimmed = new HashMap<>();
            runs.forEach((tp, r) -> trimmed.put(tp, Arrays.copyOf(r, sizes.get(tp))));
            Map<TopicPartition, List<FailedRun>> failedCopy = new HashMap<>();
            failed.forEach((tp, l) -> failedCopy.put(tp, List.copyOf(l)));
            return new ObjectSummary(etag, lines, unreadable, trimmed, failedCopy);
        }
    }

    /** Lines of this partition in the object (records and failed documents). */
    public long lines(TopicPartition tp) {
        long n = 0;
        long[] r = runs.get(tp);
        if (r != null) {
            for (int i = 0; i < r.length; i += 2) {
                n += r[i + 1] - r[i] + 1;
            }
        }
        for (FailedRun f : failed.getOrDefault(tp, List.of())) {
            n += f.last() - f.first() + 1;
        }
        return n;
    }
}
