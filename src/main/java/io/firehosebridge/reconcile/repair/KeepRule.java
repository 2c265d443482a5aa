package io.firehosebridge.reconcile.repair;

import io.firehosebridge.reconcile.scan.IndexedCopy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which copy of a duplicated offset stays: of the copies whose source carries exactly this topic,
 * partition and offset, the one with the smallest (index, id). The rule depends only on the copies, so
 * two replicas or two concurrent repairs keep the same one; and a repair deletes a copy only when it saw
 * a smaller valid one, so the smallest copy any repair saw is never deleted: an offset never loses its
 * last copy. Copies without valid coordinates are never deleted.
 */
public final class KeepRule {

    /** Orders copies by index, then id. */
    static final Comparator<IndexedCopy> ORDER = Comparator.comparing(IndexedCopy::index).thenComparing(IndexedCopy::id);

    private KeepRule() {
    }

    /**
     * What to do with the copies of one offset.
     *
     * @param kept the copy that stays; null when no copy has valid coordinates
     * @param delete the copies to delete (valid ones other than the kept one), in order
     * @param invalid copies left alone because their source does not carry exactly this offset's coordinates
     */
    public record Decision(IndexedCopy kept, List<IndexedCopy> delete, List<IndexedCopy> invalid) {
    }

    /** Decides for the copies of {@code offset} of {@code topic}/{@code partition} found in the index. */
    public static Decision decide(String topic, int partition, long offset, List<IndexedCopy> copies) {
        List<IndexedCopy> valid = new ArrayList<>();
        List<IndexedCopy> invalid = new ArrayList<>();
        for (IndexedCopy c : copies) {
            if (topic.equals(c.topic()) && c.partition() != null && c.partition() == partition && c.offset() != null && c.offset() == offset
                    && c.index() != null && !c.index().isEmpty() && c.id() != null && !c.id().isEmpty()) {
                valid.add(c);
            } else {
                invalid.add(c);
            }
        }
        if (valid.isEmpty()) {
            return new Decision(null, List.of(), List.copyOf(invalid));
        }
        valid.sort(ORDER);
        return new Decision(valid.get(0), List.copyOf(valid.subList(1, valid.size())), List.copyOf(invalid));
    }
}
