package io.firehosebridge.reconcile.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class ReconciliationStatusTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);

    @Test
    void isCompleteWhenNothingIsMissing() {
        assertThat(ReconciliationStatus.of(0, 0, null, NOW, WINDOW)).isEqualTo(ReconciliationStatus.COMPLETE);
    }

    @Test
    void isPendingWhileTheOldestMissingRecordIsWithinTheWindow() {
        assertThat(ReconciliationStatus.of(3, 0, NOW.minusSeconds(599), NOW, WINDOW)).isEqualTo(ReconciliationStatus.PENDING);
        assertThat(ReconciliationStatus.of(0, 1, NOW.minusSeconds(1), NOW, WINDOW)).isEqualTo(ReconciliationStatus.PENDING);
    }

    @Test
    void isIncompleteOnceTheWindowHasPassed() {
        assertThat(ReconciliationStatus.of(3, 0, NOW.minusSeconds(601), NOW, WINDOW)).isEqualTo(ReconciliationStatus.INCOMPLETE);
        assertThat(ReconciliationStatus.of(0, 2, NOW.minus(WINDOW), NOW, WINDOW)).isEqualTo(ReconciliationStatus.INCOMPLETE);
    }

    @Test
    void isIncompleteWhenTheSendTimeIsUnknown() {
        assertThat(ReconciliationStatus.of(1, 1, null, NOW, WINDOW)).isEqualTo(ReconciliationStatus.INCOMPLETE);
    }

    @Test
    void isIncompleteAtOnceWhenAnOffsetTheVerifierConfirmedIsMissingAgain() {
        // The first missing offset was sent a second ago (on its way), but another one was confirmed present once: it is lost.
        assertThat(ReconciliationStatus.of(2, 0, NOW.minusSeconds(1), NOW, WINDOW, true)).isEqualTo(ReconciliationStatus.INCOMPLETE);
        assertThat(ReconciliationStatus.of(2, 0, NOW.minusSeconds(1), NOW, WINDOW, false)).isEqualTo(ReconciliationStatus.PENDING);
        assertThat(ReconciliationStatus.of(0, 0, null, NOW, WINDOW, true)).isEqualTo(ReconciliationStatus.COMPLETE);
    }
}
