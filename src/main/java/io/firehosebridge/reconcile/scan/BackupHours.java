package io.firehosebridge.reconcile.scan;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The S3 key prefixes that can hold records which arrived at Firehose between two instants: Firehose
 * names each object after the UTC arrival hour of its oldest record ({@code prefix + yyyy/MM/dd/HH/}),
 * and failed documents go under {@code prefix + <failed folder>/yyyy/MM/dd/HH/}. A prefix with Firehose's expressions is
 * evaluated per hour instead ({@link BackupLayout}).
 */
public final class BackupHours {

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
        return listings(layouts(basePrefix, null, failedFolders), earliest, latest).stream().map(Listing::prefix).toList();
    }

    /**
     * The layouts a stream writes to: its prefix, and its error output prefix if it has one; without one, each failed-documents
     * folder under a prefix that has no expressions (a prefix with expressions makes Firehose require an error output prefix).
     *
     * @throws IllegalArgumentException when a prefix holds an expression Firehose refuses
     */
    public static List<BackupLayout> layouts(String prefix, String errorOutputPrefix, List<String> failedFolders) {
        List<BackupLayout> layouts = new ArrayList<>();
        BackupLayout main = BackupLayout.parse(prefix, false);
        layouts.add(main);
        if (errorOutputPrefix != null && !errorOutputPrefix.isEmpty()) {
            layouts.add(BackupLayout.parse(errorOutputPrefix, true));
        } else if (!main.hasExpressions()) {
            for (String folder : failedFolders) {
                layouts.add(BackupLayout.parse(main.text() + (folder.endsWith("/") ? folder : folder + "/"), false));
            }
        }
        return layouts;
    }

    /**
     * One listing: a key prefix and which keys under it belong to the hours asked (null: all of them, for a layout without
     * expressions, where the prefix is the hour's own folder).
     */
    public record Listing(String prefix, List<Pattern> keys) {

        /** Whether the listed key is an object of the hours asked. */
        public boolean keeps(String key) {
            if (keys == null) {
                return true;
            }
            for (Pattern p : keys) {
                if (p.matcher(key).matches()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The listings for the hours from {@code earliest} to {@code latest}: hours sharing a list prefix share one listing. */
    public static List<Listing> listings(List<BackupLayout> layouts, Instant earliest, Instant latest) {
        Map<String, List<Pattern>> byPrefix = new LinkedHashMap<>();
        Set<String> keepAll = new HashSet<>();
        for (Instant hour : hours(earliest, latest)) {
            for (BackupLayout layout : layouts) {
                String prefix = layout.listPrefix(hour);
                List<Pattern> keys = byPrefix.computeIfAbsent(prefix, k -> new ArrayList<>());
                if (!layout.hasExpressions()) {
                    keepAll.add(prefix);
                } else {
                    keys.add(layout.keys(hour));
                }
            }
        }
        List<Listing> out = new ArrayList<>();
        byPrefix.forEach((prefix, keys) -> out.add(new Listing(prefix, keepAll.contains(prefix) ? null : List.copyOf(keys))));
        return out;
    }
}
