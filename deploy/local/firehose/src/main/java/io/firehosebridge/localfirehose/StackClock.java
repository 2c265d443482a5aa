package io.firehosebridge.localfirehose;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The time AWS keeps in this stack: this machine's clock plus an offset that {@code PUT /_local/clock} sets. Every part
 * that plays AWS (the Firehose API, the search and S3 fronts, the STS, delivery times) reads it, so a positive offset plays
 * a caller whose own clock is that far behind AWS's: its signatures look that much too old. Answers carry it as their
 * {@code Date} header, as AWS's do, which is what a client corrects its signing time from.
 */
public final class StackClock extends Clock {

    /** HTTP's date as AWS writes it, the day always in two digits ({@code RFC_1123_DATE_TIME} writes "7 Dec"). */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final Clock machine;
    private volatile Duration offset = Duration.ZERO;

    public StackClock(Clock machine) {
        this.machine = machine;
    }

    /** How far this stack's AWS is ahead of the machine's clock (negative: behind). */
    public Duration offset() {
        return offset;
    }

    public void setOffset(Duration offset) {
        this.offset = offset;
    }

    @Override
    public Instant instant() {
        return machine.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return machine.getZone();
    }

    /** A view in another zone that follows this clock's offset as it changes. */
    @Override
    public Clock withZone(ZoneId zone) {
        StackClock stack = this;
        return new Clock() {
            @Override
            public Instant instant() {
                return stack.instant();
            }

            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return stack.withZone(other);
            }
        };
    }

    /** {@code clock}'s time as an HTTP {@code Date} header (RFC 1123, GMT). */
    public static String httpDate(Clock clock) {
        return HTTP_DATE.format(clock.instant());
    }
}
