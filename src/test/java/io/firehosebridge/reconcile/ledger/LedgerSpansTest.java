package io.firehosebridge.reconcile.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.KafkaCoordinates;

class LedgerSpansTest {

    private static List<KafkaCoordinates> offsets(int partition, long from, long to) {
        List<KafkaCoordinates> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(new KafkaCoordinates("t", partition, o, 0));
        }
        return out;
    }

    @Test
    void mergesConsecutiveCallsIntoOneSpanPerPartitionSentAtTheEarliest() {
        LedgerSpans spans = new LedgerSpans();
        Instant t1 = Instant.parse("2026-01-01T00:00:01Z");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<KafkaCoordinates> mixed = new ArrayList<>(offsets(0, 0, 100));
        mixed.addAll(offsets(1, 50, 60));
        spans.accepted(mixed, t1, false);
        spans.accepted(offsets(0, 100, 200), t0, false); // a concurrent call that was sent first
        assertThat(spans.drain()).containsExactly(
                new LedgerEntry("t", 0, 0, 199, t0, false, LedgerEntry.Status.UNVERIFIED, null, 0, 0, 0),
                new LedgerEntry("t", 1, 50, 59, t1, false, LedgerEntry.Status.UNVERIFIED, null, 0, 0, 0));
        assertThat(spans.drain()).isEmpty();
    }

    @Test
    void keepsGapsAndReDrivenRecordsAsSeparateSpans() {
        LedgerSpans spans = new LedgerSpans();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<KafkaCoordinates> withGap = new ArrayList<>(offsets(0, 0, 10));
        withGap.addAll(offsets(0, 11, 20)); // offset 10 was a dead letter
        spans.accepted(withGap, t, false);
        spans.accepted(offsets(0, 5, 6), t, true);
        assertThat(spans.drain()).extracting(e -> e.first() + ".." + e.last() + (e.redriven() ? " redriven" : ""))
                .containsExactly("0..9", "11..19", "5..5 redriven");
    }

    @Test
    void keysAVerdictLikeTheSpanItJudges() {
        LedgerEntry span = new LedgerEntry("t", 3, 10, 19, Instant.ofEpochMilli(1000), false, LedgerEntry.Status.UNVERIFIED, null, 0, 0, 0);
        LedgerEntry verdict = span.checked(Instant.ofEpochMilli(5000), 2, 0, 0, true);
        assertThat(verdict.key()).isEqualTo(span.key()).isEqualTo("t/3/10/1000");
        assertThat(verdict.status()).isEqualTo(LedgerEntry.Status.MISSING);
        assertThat(span.checked(Instant.ofEpochMilli(5000), 0, 0, 0, true).status()).isEqualTo(LedgerEntry.Status.CONFIRMED);
        assertThat(span.reopened().key()).isEqualTo(span.key());
        assertThat(span.reopened().status()).isEqualTo(LedgerEntry.Status.UNVERIFIED);
    }

    @Test
    void confirmsADuplicatedSpanOnlyWhenTheVerifierDoesNotRepair() {
        LedgerEntry span = LedgerEntry.sent("t", 0, 0, 9, Instant.ofEpochMilli(1000), false);

        LedgerEntry repairing = span.checked(Instant.ofEpochMilli(5000), 0, 0, 3, true);
        LedgerEntry notRepairing = span.checked(Instant.ofEpochMilli(5000), 0, 0, 3, false);

        assertThat(repairing.status()).isEqualTo(LedgerEntry.Status.DUPLICATED);
        assertThat(repairing.duplicatedInSearch()).isEqualTo(3);
        assertThat(notRepairing.status()).isEqualTo(LedgerEntry.Status.CONFIRMED);
        assertThat(notRepairing.duplicatedInSearch()).isEqualTo(3);
        assertThat(span.checked(Instant.ofEpochMilli(5000), 1, 0, 3, true).status()).isEqualTo(LedgerEntry.Status.MISSING);
    }
}
