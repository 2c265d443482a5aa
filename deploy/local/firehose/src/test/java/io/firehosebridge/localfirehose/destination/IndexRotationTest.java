package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class IndexRotationTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2016-02-25T13:00:00Z"), ZoneOffset.UTC);

    @Test
    void everyPeriodNamesTheIndexAsFirehoseDoes() {
        Instant now = FIXED.instant();
        assertThat(IndexRotation.NoRotation.indexName("idx", now)).isEqualTo("idx");
        assertThat(IndexRotation.OneHour.indexName("idx", now)).isEqualTo("idx-2016-02-25-13");
        assertThat(IndexRotation.OneDay.indexName("idx", now)).isEqualTo("idx-2016-02-25");
        assertThat(IndexRotation.OneWeek.indexName("idx", now)).isEqualTo("idx-2016-w08");
        assertThat(IndexRotation.OneMonth.indexName("idx", now)).isEqualTo("idx-2016-02");
    }

    @Test
    void weekRotationUsesWeekBasedYearAtYearBoundary() {
        assertThat(IndexRotation.OneWeek.indexName("idx", Instant.parse("2016-01-01T00:00:00Z"))).isEqualTo("idx-2015-w53");
    }

    @Test
    void rotationUsesUtcNotLocalTime() {
        assertThat(IndexRotation.OneHour.indexName("idx", Instant.parse("2016-02-25T23:59:59Z"))).isEqualTo("idx-2016-02-25-23");
    }

    @Test
    void missingRotationDefaultsToOneDayAndUnknownIsRejected() {
        assertThat(IndexRotation.parse(null)).isEqualTo(IndexRotation.OneDay);
        assertThatThrownBy(() -> IndexRotation.parse("OneYear")).isInstanceOf(FirehoseException.class)
                .extracting(e -> ((FirehoseException) e).type()).isEqualTo("ValidationException");
    }
}
