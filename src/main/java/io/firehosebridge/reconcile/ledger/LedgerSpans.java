package io.firehosebridge.reconcile.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.firehosebridge.ingest.KafkaCoordinates;

/**
 * Collects accepted records as runs of consecutive offsets on the delivery path (cheap: one pass, one
 * append per run) and, on each flush, merges them into ledger spans per partition: adjacent or
 * overlapping runs become one span sent at the earliest of their send times.
 */
public final class LedgerSpans {

    private record Run(String topic, int partition, long first, long last, Instant sentAt, boolean redriven) {
    }

    private List<Run> pending = new ArrayList<>();

    /** Records one PutRecordBatch response's accepted records. */
    public void accepted(List<KafkaCoordinates> records, Instant sentAt, boolean redriven) {
        List<Run> runs = new ArrayList<>();
        KafkaCoordinates start = null;
        long last = -1;
        for (KafkaCoordinates r : records) {
            if (start != null && r.partition() == start.partition() && r.offset() == last + 1 && r.topic().equals(start.topic())) {
                last = r.offset();
                continue;
            }
            if (start != null) {
                runs.add(new Run(start.topic(), start.partition(), start.offset(), last, sentAt, redriven));
            }
            start = r;
            last = r.offset();
        }
        if (start != null) {
            runs.add(new Run(start.topic(), start.partition(), start.offset(), last, sentAt, redriven));
        }
        synchronized (this) {
            pending.addAll(runs);
        }
    }

    /** Takes everything collected since the last drain, merged into spans ordered by topic, partition and offset. */
    public List<LedgerEntry> drain() {
        List<Run> runs;
        synchronized (this) {
            runs = pending;
            pending = new ArrayList<>();
        }
        runs.sort(Comparator.comparing(Run::topic).thenComparingInt(Run::partition).thenComparing(Run::redriven)
                .thenComparingLong(Run::first));
        List<LedgerEntry> spans = new ArrayList<>();
        Run current = null;
        for (Run r : runs) {
            if (current != null && current.topic().equals(r.topic()) && current.partition() == r.partition()
                    && current.redriven() == r.redriven() && r.first() <= current.last() + 1) {
                current = new Run(current.topic(), current.partition(), current.first(), Math.max(current.last(), r.last()),
                        current.sentAt().isBefore(r.sentAt()) ? current.sentAt() : r.sentAt(), current.redriven());
                continue;
            }
            if (current != null) {
                spans.add(entry(current));
            }
            current = r;
        }
        if (current != null) {
            spans.add(entry(current));
        }
        return spans;
    }

    private static LedgerEntry entry(Run r) {
        return LedgerEntry.sent(r.topic(), r.partition(), r.first(), r.last(), r.sentAt(), r.redriven());
    }
}
