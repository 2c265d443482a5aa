package io.firehosebridge.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Where a partition starts when the consumer group has no committed offset for it: the earliest retained offset, the end
 * of the log, or the first record at or after a time.
 *
 * @param kind which of the three
 * @param time for {@link Kind#TIMESTAMP}, the time; null otherwise
 */
public record StartPosition(Kind kind, Instant time) {

    /** The setting it comes from. */
    public static final String SETTING = "bridge.ingest.start-position";

    /**
     * Epoch milliseconds below this (1973-03-03) are taken for seconds given by mistake: a backfill from 1970 would read
     * everything, which is better asked for by its name, {@code earliest}.
     */
    static final long SMALLEST_MILLIS = 100_000_000_000L;

    /** The three kinds of start. */
    public enum Kind {
        /** The earliest retained offset. */
        EARLIEST,
        /** The end of the log: only records written after the start. */
        LATEST,
        /** The first record whose timestamp is at or after the time; the end of the log when there is none. */
        TIMESTAMP
    }

    /**
     * Reads the setting's value.
     *
     * @throws ConfigurationException naming the setting when the value is none of the accepted forms
     */
    public static StartPosition parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("earliest")) {
            return new StartPosition(Kind.EARLIEST, null);
        }
        if (v.equalsIgnoreCase("latest")) {
            return new StartPosition(Kind.LATEST, null);
        }
        if (v.matches("-?[0-9]+")) {
            long millis;
            try {
                millis = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw invalid(value, "is too large for epoch milliseconds");
            }
            if (millis < SMALLEST_MILLIS) {
                throw invalid(value, "as epoch milliseconds is before 1973-03-03 (" + Instant.ofEpochMilli(millis)
                        + "): epoch seconds given by mistake? Give milliseconds, or 'earliest'");
            }
            return new StartPosition(Kind.TIMESTAMP, Instant.ofEpochMilli(millis));
        }
        try {
            return new StartPosition(Kind.TIMESTAMP, OffsetDateTime.parse(v).toInstant());
        } catch (DateTimeException e) {
            throw invalid(value, "is not earliest, latest, an ISO-8601 time with its offset (2026-11-30T00:00:00Z, "
                    + "2026-11-30T00:00:00+01:00) or epoch milliseconds (1764460800000)");
        }
    }

    /** The setting's value as it reads back: earliest, latest, or the time as an ISO-8601 instant. */
    @Override
    public String toString() {
        return kind == Kind.TIMESTAMP ? time.toString() : kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Where it places a partition, in words. */
    public String describe() {
        return switch (kind) {
            case EARLIEST -> "the earliest retained offset";
            case LATEST -> "the end of the log";
            case TIMESTAMP -> "the first record at or after " + time;
        };
    }

    private static ConfigurationException invalid(String value, String why) {
        return new ConfigurationException("Invalid setting " + SETTING + ": '" + value + "' " + why);
    }
}
