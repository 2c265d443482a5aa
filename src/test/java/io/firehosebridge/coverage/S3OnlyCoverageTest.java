package io.firehosebridge.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.firehosebridge.coverage.CoverageView.PartitionCoverage;
import io.firehosebridge.reconcile.ledger.LedgerEntry;
import io.firehosebridge.reconcile.ledger.LedgerEntry.Status;

/** The coverage data of a stream whose only destination is S3: one bar, the backup's. */
class S3OnlyCoverageTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant HOUR_AGO = NOW.minus(Duration.ofHours(1));

    @Test
    void showsOnlyTheBackupBarWhenTheStreamHasNoSearchDestination() {
        PartitionCoverage p = LedgerCoverage.of("clicks", 0, List.of(
                new LedgerEntry("clicks", 0, 0, 99, HOUR_AGO, false, Status.CONFIRMED, NOW, 0, 0, 0),
                new LedgerEntry("clicks", 0, 100, 149, HOUR_AGO, false, Status.MISSING, NOW, 0, 7, 0)),
                NOW, Duration.ofMinutes(10), 100, false);

        assertThat(p.search()).isNull();
        assertThat(p.backup().stretches()).extracting(s -> s.first() + ".." + s.last() + ":" + s.state())
                .containsExactly("0..99:CONFIRMED", "100..149:MISSING");
        assertThat(p.backup().counts().missing()).isEqualTo(50);
        assertThat(p.figures().unconfirmedSearch()).isZero();
        assertThat(p.figures().unconfirmedBackup()).isEqualTo(7);
    }
}
