package io.firehosebridge.reconcile.scan;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The S3 key prefixes that can hold records which arrived at Firehose between two instants: Firehose
 * names each object after the UTC arrival hour of its oldest record ({@code prefix + yyyy/MM/dd/HH/}),
 * and failed documents go under {@code prefix + <failed folder>/yyyy/MM/dd/HH/}.
 */
public final class BackupHours {

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH/").withZone(ZoneOffset.UTC);

    private BackupHours() {
    }

    /** Hours from the one containing {@code earliest} to the one containing {@code latest}, inclusive. */
    public static List<Instant> hours(Instant earliest, Instant latest) {
        List<Instant> hours = new ArrayList<>();
        Instant h = earliest.truncatedTo(ChronoUnit.HOURS);
        Instant last = latest.truncatedTo(ChronoUnit.HOURS);
        while (!h.isAfter(last)) {
            hours.add(h);
            h = h.plus(1, ChronoUnit.HOURS);
        }
        return hours;
    }

    /** Number of arrival hours between the two instants. */
    public static long hourCount(Instant earliest, Instant latest) {
        return ChronoUnit.HOURS.between(earliest.truncatedTo(ChronoUnit.HOURS), latest.truncatedTo(ChronoUnit.HOURS)) + 1;
    }

    /**
     * Prefixes to list: for each hour the backup prefix, then each failed-documents folder.
     *
     * @param basePrefix the stream's S3 prefix without timestamp expressions ("" for the default layout)
     * @param failedFolders folders of failed documents under the prefix, e.g. {@code elasticsearch-failed/}
     */
    public static List<String> prefixes(String basePrefix, List<String> failedFolders, Instant earliest, Instant latest) {
        List<String> prefixes = new ArrayList<>();
        for (Instant hour : hours(earliest, latest)) {
            String h = HOUR.format(hour);
            prefixes.add(basePrefix + h);
            for (String folder : failedFolders) {
                prefixes.add(basePrefix + (folder.endsWith("/") ? folder : folder + "/") + h);
            }
        }
        return prefixes;
    }
}
