package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;

/** IndexRotationPeriod: the suffix Firehose appends to IndexName, from the UTC arrival time of the record. */
public enum IndexRotation {
    NoRotation(null),
    OneHour(DateTimeFormatter.ofPattern("yyyy-MM-dd-HH")),
    OneDay(DateTimeFormatter.ofPattern("yyyy-MM-dd")),
    OneWeek(null),
    OneMonth(DateTimeFormatter.ofPattern("yyyy-MM"));

    private final DateTimeFormatter suffix;

    IndexRotation(DateTimeFormatter suffix) {
        this.suffix = suffix == null ? null : suffix.withZone(ZoneOffset.UTC);
    }

    /** The index a record arriving at {@code arrival} is written to. */
    public String indexName(String indexName, Instant arrival) {
        return switch (this) {
            case NoRotation -> indexName;
            // ISO weeks: 2016-02-25 is in week 8 of week-based year 2016.
            case OneWeek -> {
                var date = arrival.atZone(ZoneOffset.UTC);
                yield String.format("%s-%04d-w%02d", indexName,
                        date.get(IsoFields.WEEK_BASED_YEAR), date.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            }
            default -> indexName + "-" + suffix.format(arrival);
        };
    }

    /** Parses the API value; null means the API default, OneDay. */
    public static IndexRotation parse(String value) {
        if (value == null) {
            return OneDay;
        }
        for (IndexRotation r : values()) {
            if (r.name().equals(value)) {
                return r;
            }
        }
        throw FirehoseException.validation("1 validation error detected: Value '" + value
                + "' at 'indexRotationPeriod' failed to satisfy constraint: Member must satisfy enum value set: "
                + "[NoRotation, OneHour, OneDay, OneWeek, OneMonth]");
    }
}
