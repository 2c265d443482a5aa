package io.firehosebridge.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.firehosebridge.coverage.CoverageView.PartitionCoverage;
import io.firehosebridge.coverage.CoverageView.Stretch;
import io.firehosebridge.reconcile.ledger.LedgerEntry;
import io.firehosebridge.reconcile.ledger.LedgerEntry.Status;

class LedgerCoverageTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);
    /** Long before the delivery window: spans sent then are due. */
    private static final Instant HOUR_AGO = NOW.minus(Duration.ofHours(1));

    private static LedgerEntry span(long first, long last, Instant sentAt, Status status, long missingSearch, long missingBackup) {
        return new LedgerEntry("clicks", 0, first, last, sentAt, false, status, status == Status.UNVERIFIED ? null : NOW, missingSearch,
                missingBackup, 0);
    }

    private static LedgerEntry redriven(long first, long last, Instant sentAt, Status status) {
        return new LedgerEntry("clicks", 0, first, last, sentAt, true, status, null, 0, 0, 0);
    }

    private static PartitionCoverage bars(LedgerEntry... spans) {
        return LedgerCoverage.of("clicks", 0, List.of(spans), NOW, WINDOW, 100);
    }

    private static String bar(List<Stretch> stretches) {
        StringBuilder out = new StringBuilder();
        for (Stretch s : stretches) {
            out.append(out.length() == 0 ? "" : " ").append(s.first()).append("..").append(s.last()).append(':').append(s.state());
        }
        return out.toString();
    }

    @Test
    void showsEachSideOfAFlaggedSpanOnItsOwn() {
        PartitionCoverage p = bars(
                span(0, 99, HOUR_AGO, Status.CONFIRMED, 0, 0),
                span(100, 149, HOUR_AGO, Status.MISSING, 7, 0),
                span(150, 199, NOW.minusSeconds(30), Status.UNVERIFIED, 0, 0));

        assertThat(p.first()).isZero();
        assertThat(p.last()).isEqualTo(199);
        assertThat(bar(p.search().stretches())).isEqualTo("0..99:CONFIRMED 100..149:MISSING 150..199:PENDING");
        assertThat(bar(p.backup().stretches())).isEqualTo("0..149:CONFIRMED 150..199:PENDING");
        Stretch missing = p.search().stretches().get(1);
        assertThat(missing.missingAtCheck()).isEqualTo(7);
        assertThat(missing.spans()).isEqualTo(1);
        assertThat(missing.sentFrom()).isEqualTo(HOUR_AGO);
        assertThat(p.search().counts().confirmed()).isEqualTo(100);
        assertThat(p.search().counts().missing()).isEqualTo(50);
        assertThat(p.backup().counts().confirmed()).isEqualTo(150);
        // As the gauges count: the unverified span whole, the flagged span its missing records.
        assertThat(p.figures().unconfirmedSearch()).isEqualTo(57);
        assertThat(p.figures().unconfirmedBackup()).isEqualTo(50);
        assertThat(p.figures().oldestUnconfirmedSentAt()).isEqualTo(HOUR_AGO);
        assertThat(p.figures().oldestUnconfirmedAgeSeconds()).isEqualTo(3600.0);
    }

    @Test
    void tellsOverdueFromPendingByTheDeliveryWindow() {
        PartitionCoverage p = bars(
                span(0, 9, NOW.minus(WINDOW).minusSeconds(1), Status.UNVERIFIED, 0, 0),
                span(10, 19, NOW.minus(WINDOW).plusSeconds(1), Status.UNVERIFIED, 0, 0));

        assertThat(bar(p.search().stretches())).isEqualTo("0..9:OVERDUE 10..19:PENDING");
    }

    @Test
    void aConfirmedRedriveCoversTheGapOfTheSpanItRepairs() {
        PartitionCoverage p = bars(
                span(0, 99, HOUR_AGO, Status.MISSING, 10, 10),
                redriven(40, 49, NOW.minus(Duration.ofMinutes(30)), Status.CONFIRMED));

        assertThat(bar(p.search().stretches())).isEqualTo("0..39:MISSING 40..49:CONFIRMED 50..99:MISSING");
        assertThat(p.search().stretches().get(1).redriven()).isTrue();
        assertThat(p.search().stretches().get(0).redriven()).isFalse();
    }

    @Test
    void showsOffsetsNoSpanHoldsAsNotInTheLedger() {
        PartitionCoverage p = bars(
                span(0, 9, HOUR_AGO, Status.CONFIRMED, 0, 0),
                span(15, 19, HOUR_AGO, Status.CONFIRMED, 0, 0),
                span(20, 29, HOUR_AGO, Status.CONFIRMED, 0, 0));

        assertThat(bar(p.search().stretches())).isEqualTo("0..9:CONFIRMED 10..14:NOT_IN_LEDGER 15..29:CONFIRMED");
        assertThat(p.search().stretches().get(2).spans()).isEqualTo(2);
        assertThat(p.search().counts().notInLedger()).isEqualTo(5);
        assertThat(p.figures().unconfirmedSearch()).isZero();
        assertThat(p.figures().oldestUnconfirmedSentAt()).isNull();
        assertThat(p.figures().oldestUnconfirmedAgeSeconds()).isZero();
    }

    @Test
    void mergesNeighboursBeyondTheLimitKeepingTheWorstStateAndExactCounts() {
        List<LedgerEntry> spans = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            spans.add(span(i * 10L, i * 10L + 9, HOUR_AGO, i % 2 == 0 ? Status.CONFIRMED : Status.MISSING, i % 2 == 0 ? 0 : 1, 0));
        }
        PartitionCoverage p = LedgerCoverage.of("clicks", 0, spans, NOW, WINDOW, 50);

        List<Stretch> bar = p.search().stretches();
        assertThat(p.search().merged()).isTrue();
        assertThat(bar).hasSizeLessThanOrEqualTo(50);
        assertThat(bar.get(0).first()).isZero();
        assertThat(bar.get(bar.size() - 1).last()).isEqualTo(9999);
        for (int i = 1; i < bar.size(); i++) {
            assertThat(bar.get(i).first()).isEqualTo(bar.get(i - 1).last() + 1);
        }
        assertThat(bar).allSatisfy(s -> assertThat(s.state()).isEqualTo(CoverageState.MISSING));
        assertThat(bar.stream().mapToLong(s -> s.counts().missing()).sum()).isEqualTo(5000);
        assertThat(bar.stream().mapToLong(s -> s.counts().confirmed()).sum()).isEqualTo(5000);
        assertThat(bar.stream().mapToLong(Stretch::missingAtCheck).sum()).isEqualTo(500);
        assertThat(p.backup().merged()).isFalse();
        assertThat(bar(p.backup().stretches())).isEqualTo("0..9999:CONFIRMED");
    }

    @Test
    void addsUpPartitionFiguresAsTheGaugesDo() {
        Instant older = NOW.minusSeconds(300);
        CoverageView.Figures total = LedgerCoverage.total(List.of(
                new CoverageView.Figures(5, 1, NOW.minusSeconds(60), 60, 3),
                new CoverageView.Figures(2, 0, older, 300, 0),
                new CoverageView.Figures(0, 0, null, 0, 4)), NOW);

        assertThat(total.unconfirmedSearch()).isEqualTo(7);
        assertThat(total.unconfirmedBackup()).isEqualTo(1);
        assertThat(total.oldestUnconfirmedSentAt()).isEqualTo(older);
        assertThat(total.oldestUnconfirmedAgeSeconds()).isEqualTo(300.0);
        assertThat(total.unrepairedDuplicates()).isEqualTo(7);
    }

    @Test
    void countsDuplicatesTheVerifierHasNotRepairedWhileTheRecordsShowAsPresent() {
        LedgerEntry duplicated = new LedgerEntry("clicks", 0, 0, 99, HOUR_AGO, false, Status.DUPLICATED, NOW, 0, 0, 12);
        LedgerEntry confirmedWithDuplicates = new LedgerEntry("clicks", 0, 100, 199, HOUR_AGO, false, Status.CONFIRMED, NOW, 0, 0, 5);

        PartitionCoverage p = bars(duplicated, confirmedWithDuplicates);

        assertThat(bar(p.search().stretches())).isEqualTo("0..199:CONFIRMED");
        assertThat(p.figures().unrepairedDuplicates()).isEqualTo(17);
        assertThat(p.figures().unconfirmedSearch()).isZero();
        assertThat(p.figures().oldestUnconfirmedSentAt()).isEqualTo(HOUR_AGO);
    }
}
