package io.firehosebridge.reconcile.repair;

import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.reconcile.scan.IndexedCopy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class KeepRuleTest {

    private static IndexedCopy copy(String index, String id, String topic, Integer partition, Long offset) {
        return new IndexedCopy(index, null, id, 1L, 1L, 1L, topic, partition, offset);
    }

    @Test
    void keepsTheSmallestIndexThenIdAndDeletesTheRest() {
        IndexedCopy a = copy("clicks-2026-11-30", "zz", "clicks", 3, 42L);
        IndexedCopy b = copy("clicks-2026-11-29", "yy", "clicks", 3, 42L);
        IndexedCopy c = copy("clicks-2026-11-29", "aa", "clicks", 3, 42L);
        KeepRule.Decision d = KeepRule.decide("clicks", 3, 42, List.of(a, b, c));
        assertThat(d.kept()).isEqualTo(c);
        assertThat(d.delete()).containsExactly(b, a);
        assertThat(d.invalid()).isEmpty();
    }

    @Test
    void choosesTheSameCopyWhateverTheOrderTheCopiesArriveIn() {
        List<IndexedCopy> copies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            copies.add(copy("clicks-" + (i % 3), "id-" + i, "clicks", 0, 7L));
        }
        IndexedCopy first = KeepRule.decide("clicks", 0, 7, copies).kept();
        Random random = new Random(15);
        for (int round = 0; round < 50; round++) {
            Collections.shuffle(copies, random);
            KeepRule.Decision d = KeepRule.decide("clicks", 0, 7, copies);
            assertThat(d.kept()).isEqualTo(first);
            assertThat(d.delete()).hasSize(19).doesNotContain(first);
        }
    }

    @Test
    void neverDeletesACopyWithoutValidCoordinatesOrOfAnotherTopic() {
        IndexedCopy good = copy("clicks", "b", "clicks", 1, 5L);
        IndexedCopy good2 = copy("clicks", "c", "clicks", 1, 5L);
        IndexedCopy otherTopic = copy("clicks", "a", "views", 1, 5L);
        IndexedCopy noOffset = copy("clicks", "a0", "clicks", 1, null);
        IndexedCopy otherPartition = copy("clicks", "a1", "clicks", 2, 5L);
        IndexedCopy noTopic = copy("clicks", "a2", null, 1, 5L);
        KeepRule.Decision d = KeepRule.decide("clicks", 1, 5, List.of(otherTopic, good2, noOffset, good, otherPartition, noTopic));
        assertThat(d.kept()).isEqualTo(good); // "a…" ids are smaller, but invalid copies are never the kept one either
        assertThat(d.delete()).containsExactly(good2);
        assertThat(d.invalid()).containsExactlyInAnyOrder(otherTopic, noOffset, otherPartition, noTopic);
    }

    @Test
    void deletesNothingWhenOnlyOneValidCopyIsLeft() {
        KeepRule.Decision one = KeepRule.decide("clicks", 0, 1, List.of(copy("clicks", "x", "clicks", 0, 1L), copy("clicks", "w", "clicks", 0, 2L)));
        assertThat(one.delete()).isEmpty();
        assertThat(one.kept().id()).isEqualTo("x");
        KeepRule.Decision none = KeepRule.decide("clicks", 0, 1, List.of(copy("clicks", "x", "other", 0, 1L)));
        assertThat(none.kept()).isNull();
        assertThat(none.delete()).isEmpty();
    }

    /**
     * Two repairs that each saw a different subset of an offset's copies (one listed before a copy arrived,
     * one after): whatever both delete, the smallest copy either saw stays.
     */
    @Test
    void concurrentRepairsThatSawDifferentCopiesNeverDeleteTheLastOne() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<IndexedCopy> all = new ArrayList<>();
            int n = 2 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                all.add(copy("clicks-" + random.nextInt(3), "id" + random.nextInt(1000) + "-" + i, "clicks", 0, 9L));
            }
            List<IndexedCopy> seenByA = new ArrayList<>();
            List<IndexedCopy> seenByB = new ArrayList<>();
            for (IndexedCopy c : all) {
                if (random.nextBoolean()) {
                    seenByA.add(c);
                }
                if (random.nextBoolean()) {
                    seenByB.add(c);
                }
            }
            List<IndexedCopy> left = new ArrayList<>(all);
            left.removeAll(KeepRule.decide("clicks", 0, 9, seenByA).delete());
            left.removeAll(KeepRule.decide("clicks", 0, 9, seenByB).delete());
            assertThat(left).as("copies left after both repairs, round %d", round).isNotEmpty();
        }
    }
}
