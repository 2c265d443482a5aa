package io.firehosebridge.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

/** When a refusal corrects the signing clock, and when it does not (the SDK's rules). */
class AwsClockTest {

    private static final Instant NOW = Instant.parse("2026-12-07T14:00:00Z");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final AwsClock clock = new AwsClock(Clock.fixed(NOW, ZoneOffset.UTC));

    private static String date(Duration fromNow) {
        return HTTP_DATE.format(NOW.plus(fromNow));
    }

    @Test
    void aSignatureRefusedTenMinutesOffSignsWithAwsTimeAfterwards() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ofMinutes(10)))).isTrue();

        assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(10));
        assertThat(clock.signingClock().instant()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        // Refused again with the same time: nothing new to learn, so the caller does not sign again.
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ofMinutes(10)))).isFalse();
    }

    @Test
    void aSearchDomainsBare403WithAClockBehindCorrectsToo() {
        assertThat(clock.learn("search request", 403, null, date(Duration.ofMinutes(-7)))).isTrue();

        assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(-7));
    }

    @Test
    void aRefusalWithinFourMinutesIsNotAboutTheClock() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ofMinutes(3)))).isFalse();
        assertThat(clock.offset()).isZero();
    }

    @Test
    void aCodeThatNamesTheTimeCorrectsWhateverTheDifference() {
        assertThat(clock.learn("S3", 403, "RequestTimeTooSkewed", date(Duration.ofSeconds(30)))).isTrue();
        assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aRefusalOfTheRecordsOrAServerErrorOrNoDateLeavesTheClock() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidArgumentException", date(Duration.ofMinutes(10)))).isFalse();
        assertThat(clock.learn("PutRecordBatch", 500, "InternalFailure", date(Duration.ofMinutes(10)))).isFalse();
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", null)).isFalse();
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", "yesterday")).isFalse();
        assertThat(clock.offset()).isZero();
    }

    @Test
    void correctedBackWhenTheClocksAgreeAgain() {
        clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ofMinutes(10)));

        // Signed 10 minutes ahead of an AWS that agrees with the node again: "not yet current".
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ZERO))).isTrue();
        assertThat(clock.offset()).isZero();
        assertThat(clock.signingClock().instant()).isEqualTo(NOW);
    }

    @Test
    void describesAnOffsetInMinutesAndSeconds() {
        assertThat(AwsClock.human(Duration.ofSeconds(599))).isEqualTo("about 10 min (599 s)");
        assertThat(AwsClock.human(Duration.ofSeconds(45))).isEqualTo("45 s");
    }
}
