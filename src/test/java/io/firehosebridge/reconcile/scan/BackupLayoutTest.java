package io.firehosebridge.reconcile.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class BackupLayoutTest {

    private static final Instant HOUR = Instant.parse("2026-03-01T05:00:00Z");
    private static final String OBJECT = "s3-clicks-1-2026-03-01-05-17-42-0b6a2c9e-3f1d-4c2a-9e51-7d0c2f1a9b3e.gz";

    @Test
    void aPrefixWithoutExpressionsGetsFirehosesDefaultHourFolders() {
        BackupLayout layout = BackupLayout.parse("clicks/", false);
        assertThat(layout.hasExpressions()).isFalse();
        assertThat(layout.listPrefix(HOUR.plusSeconds(1800))).isEqualTo("clicks/2026/03/01/05/");
        assertThat(layout.keys(HOUR).matcher("clicks/2026/03/01/05/" + OBJECT).matches()).isTrue();
        assertThat(BackupLayout.parse(null, false).listPrefix(HOUR)).isEqualTo("2026/03/01/05/");
    }

    @Test
    void timestampExpressionsAreEvaluatedAndReplaceTheDefaultFolders() {
        BackupLayout layout = BackupLayout.parse("lake/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/", false);
        assertThat(layout.hasExpressions()).isTrue();
        assertThat(layout.listPrefix(HOUR)).isEqualTo("lake/year=2026/month=03/day=01/hour=05/");
        assertThat(layout.keys(HOUR).matcher("lake/year=2026/month=03/day=01/hour=05/" + OBJECT).matches()).isTrue();
        assertThat(layout.keys(HOUR).matcher("lake/year=2026/month=03/day=01/hour=06/" + OBJECT).matches()).isFalse();
        assertThat(layout.keys(HOUR).matcher("lake/year=2026/month=03/day=01/hour=05/2026/03/01/05/" + OBJECT).matches())
                .as("no default folders after an expression prefix").isFalse();
    }

    @Test
    void aRandomStringStopsTheListedPrefixAndMatchesAnyValue() {
        BackupLayout layout = BackupLayout.parse("lake/!{timestamp:yyyy-MM-dd}/!{firehose:random-string}/!{timestamp:HH}/", false);
        assertThat(layout.listPrefix(HOUR)).isEqualTo("lake/2026-03-01/");
        assertThat(layout.keys(HOUR).matcher("lake/2026-03-01/x7k2m9q0a1b/05/" + OBJECT).matches()).isTrue();
        assertThat(layout.keys(HOUR).matcher("lake/2026-03-01/x7k2m9q0a1b/06/" + OBJECT).matches()).isFalse();
    }

    @Test
    void aPatternFinerThanTheHourMatchesAnyValueWithinIt() {
        BackupLayout layout = BackupLayout.parse("lake/!{timestamp:yyyy/MM/dd/HH/mm}/", false);
        assertThat(layout.listPrefix(HOUR)).isEqualTo("lake/");
        assertThat(layout.keys(HOUR).matcher("lake/2026/03/01/05/17/" + OBJECT).matches()).isTrue();
    }

    @Test
    void anErrorPrefixMatchesEveryErrorOutputType() {
        BackupLayout errors = BackupLayout.parse("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/", true);
        assertThat(errors.listPrefix(HOUR)).isEqualTo("errors/");
        assertThat(errors.keys(HOUR).matcher("errors/processing-failed/2026/03/01/05/" + OBJECT).matches()).isTrue();
        assertThat(errors.keys(HOUR).matcher("errors/elasticsearch-failed/2026/03/01/05/" + OBJECT).matches()).isTrue();
        assertThat(errors.keys(HOUR).matcher("errors/processing-failed/2026/03/01/04/" + OBJECT).matches()).isFalse();
    }

    @Test
    void refusesWhatFirehoseRefuses() {
        assertThatThrownBy(() -> BackupLayout.parse("x/!{firehose:error-output-type}/", false))
                .hasMessageContaining("only allowed in an error output prefix");
        assertThatThrownBy(() -> BackupLayout.parse("x/!{timestamp:yyyy-bb}/", false)).hasMessageContaining("timestamp:yyyy-bb");
        assertThatThrownBy(() -> BackupLayout.parse("x/!{partitionKeyFromQuery:id}/", false)).hasMessageContaining("partitionKeyFromQuery:id");
    }

    @Test
    void hoursSharingAListedPrefixShareOneListingThatKeepsOnlyTheirKeys() {
        List<BackupLayout> layouts = BackupHours.layouts("lake/!{timestamp:yyyy-MM-dd}/!{firehose:random-string}/!{timestamp:HH}/",
                "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/", List.of("elasticsearch-failed/"));
        List<BackupHours.Listing> listings = BackupHours.listings(layouts, HOUR, HOUR.plusSeconds(3600));
        assertThat(listings).extracting(BackupHours.Listing::prefix).containsExactly("lake/2026-03-01/", "errors/");
        BackupHours.Listing main = listings.get(0);
        assertThat(main.keeps("lake/2026-03-01/abcdefghijk/05/" + OBJECT)).isTrue();
        assertThat(main.keeps("lake/2026-03-01/abcdefghijk/06/" + OBJECT)).isTrue();
        assertThat(main.keeps("lake/2026-03-01/abcdefghijk/07/" + OBJECT)).isFalse();
    }

    @Test
    void failedFoldersStayUnderAPlainPrefixWhenThereIsNoErrorPrefix() {
        List<BackupLayout> layouts = BackupHours.layouts("clicks/", null, List.of("elasticsearch-failed/"));
        assertThat(BackupHours.listings(layouts, HOUR, HOUR)).extracting(BackupHours.Listing::prefix)
                .containsExactly("clicks/2026/03/01/05/", "clicks/elasticsearch-failed/2026/03/01/05/");
        assertThat(BackupHours.listings(layouts, HOUR, HOUR).get(0).keeps("clicks/2026/03/01/05/anything")).isTrue();
    }
}
