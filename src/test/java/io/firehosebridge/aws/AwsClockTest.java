package io.firehosebridge.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.testing.LogCapture;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a refusal corrects the signing clock, and when it does not (the SDK's rules). */
class AwsClockTest {

    /** Half a second past the second: a Date header (whole seconds) plus the half second it dropped is exact here. */
    private static final Instant NOW = Instant.parse("2026-12-07T14:00:00.500Z");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private final AwsClock clock = new AwsClock(Clock.fixed(NOW, ZoneOffset.UTC));
    private final LogCapture log = LogCapture.of(AwsClock.class);

    @AfterEach
    void closeLog() {
        log.close();
    }

    private static String date(Duration fromNow) {
        return HTTP_DATE.format(NOW.plus(fromNow));
    }

    @Test
    void aSignatureRefusedTenMinutesOffSignsWithAwsTimeAfterwards() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(TEN_MINUTES), Duration.ZERO)).isTrue();

        assertThat(clock.offset()).isEqualTo(TEN_MINUTES);
        assertThat(clock.signing().clock().instant()).isEqualTo(NOW.plus(TEN_MINUTES));
        assertThat(log.lines()).singleElement().asString().contains("AWS's clock is about 10 min (600 s) ahead of this node's");
        // Refused again although signed with AWS's time: nothing new to learn, so the caller does not sign again.
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(TEN_MINUTES), TEN_MINUTES)).isFalse();
    }

    @Test
    void aCallSignedBeforeTheCorrectionIsSignedAgainWithoutAnotherLine() {
        clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(TEN_MINUTES), Duration.ZERO);

        // In flight when the first refusal came: signed with the node's time, refused the same way.
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(TEN_MINUTES), Duration.ZERO)).isTrue();
        assertThat(clock.offset()).isEqualTo(TEN_MINUTES);
        assertThat(log.lines()).hasSize(1);
    }

    @Test
    void aSearchDomainsBare403WithAClockBehindCorrectsToo() {
        assertThat(clock.learn("search request", 403, null, date(Duration.ofMinutes(-7)), Duration.ZERO)).isTrue();

        assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(-7));
        assertThat(log.lines()).singleElement().asString().contains("about 7 min (420 s) behind this node's", "HTTP 403");
    }

    @Test
    void aRefusalWithinFourMinutesIsNotAboutTheClock() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ofMinutes(3)), Duration.ZERO)).isFalse();
        assertThat(clock.offset()).isZero();
    }

    @Test
    void aCodeThatNamesTheTimeCorrectsWhateverTheDifferenceAndASecondLessIsTheSame() {
        assertThat(clock.learn("S3", 403, "RequestTimeTooSkewed", date(Duration.ofSeconds(30)), Duration.ZERO)).isTrue();
        assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(30));

        // The Date has whole seconds: a second less is the same offset, not a new one to log.
        assertThat(clock.learn("S3", 403, "RequestTimeTooSkewed", date(Duration.ofSeconds(29)), Duration.ofSeconds(30))).isFalse();
        assertThat(clock.offset()).isEqualTo(Duration.ofSeconds(30));
        assertThat(log.lines()).singleElement().asString().contains("30 s apart now");
    }

    @Test
    void aRefusalOfTheRecordsAnotherStatusOrNoDateLeavesTheClock() {
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidArgumentException", date(TEN_MINUTES), Duration.ZERO)).isFalse();
        assertThat(clock.learn("PutRecordBatch", 500, "InternalFailure", date(TEN_MINUTES), Duration.ZERO)).isFalse();
        // No code: only a 401 or 403 can be a refused signature (a proxy's 407 or a 400 carries a clock that is not AWS's).
        assertThat(clock.learn("search request", 407, null, date(TEN_MINUTES), Duration.ZERO)).isFalse();
        assertThat(clock.learn("search request", 400, null, date(TEN_MINUTES), Duration.ZERO)).isFalse();
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", null, Duration.ZERO)).isFalse();
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", "yesterday", Duration.ZERO)).isFalse();
        assertThat(clock.offset()).isZero();
        assertThat(log.lines()).isEmpty();
    }

    @Test
    void correctedBackWhenTheClocksAgreeAgain() {
        clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(TEN_MINUTES), Duration.ZERO);

        // Signed 10 minutes ahead of an AWS that agrees with the node again: "not yet current".
        assertThat(clock.learn("PutRecordBatch", 400, "InvalidSignatureException", date(Duration.ZERO), TEN_MINUTES)).isTrue();
        assertThat(clock.offset()).isZero();
        assertThat(clock.signing().clock().instant()).isEqualTo(NOW);
        assertThat(log.lines()).hasSize(2);
        assertThat(log.lines().get(1)).contains("agree again");
    }

    @Test
    void describesAnOffsetInMinutesAndSeconds() {
        assertThat(AwsClock.human(Duration.ofSeconds(599))).isEqualTo("about 10 min (599 s)");
        assertThat(AwsClock.human(Duration.ofSeconds(45))).isEqualTo("45 s");
    }
}
