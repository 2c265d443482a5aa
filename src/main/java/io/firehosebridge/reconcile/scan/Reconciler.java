package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;
import io.firehosebridge.route.TopicRouting;

/**
 * Reconciles one partition range: which offsets are in the search indices, which in the S3 backup,
 * which are missing where and which are duplicated, and whether the missing ones may still be on their way.
 */
@ApplicationScoped
public class Reconciler {

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    @Inject
    KafkaLog kafka;

    @Inject
    SearchScanner search;

    @Inject
    BackupScanner backup;

    /** The delivery ledger. */
    @Inject
    DeliveryHistory ledger;

    @Inject
    ReconcileConfig config;

    @Inject
    Routes routes;

    /** A validated range {@code [from, to)} of one partition. */
    @RegisterForReflection
    public record Range(String topic, int partition, long from, long to, long end) {
        public long size() {
            return to - from;
        }
    }

    /** Progress reporting and cancellation for long checks. */
    public interface Progress {
        /** Offsets whose check finished (or moved on by one search page). */
        void offsets(long checked);

        /** S3 objects checked. */
        void objects(int checked);

        boolean cancelled();

        Progress NONE = new Progress() {
            @Override
            public void offsets(long checked) {
            }

            @Override
            public void objects(int checked) {
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }

    /**
     * A finished check: the report and the tallies behind it (for the verifier's per-span verdicts).
     *
     * @param search null when the stream has no search destination (bridge.search.enabled=false)
     */
    public record Outcome(PartitionReport report, OffsetTally search, OffsetTally backup) {
    }

    /** Checks the topic name; 400 when it cannot be a Kafka topic. */
    public static void checkTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw ReconcileException.invalidRequest("'topic' must be a Kafka topic name: 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
        }
    }

    /**
     * Validates a requested range against the partition's log. Without {@code from}, where the bridge's group started on
     * the partition (the ledger's start mark) or the earliest retained offset, whichever is later; without {@code to}, the
     * bridge group's committed offset.
     *
     * @param maxOffsets the largest range allowed
     * @param tooLarge what to do instead when the range is larger
     */
    public Range resolve(String topic, int partition, Long from, Long to, long maxOffsets, String tooLarge) {
        checkTopic(topic);
        if (partition < 0) {
            throw ReconcileException.invalidRequest("'partition' must be 0 or more, not " + partition);
        }
        if (from != null && from < 0) {
            throw ReconcileException.invalidRequest("'from' must be 0 or more, not " + from);
        }
        if (to != null && to < 0) {
            throw ReconcileException.invalidRequest("'to' must be 0 or more, not " + to);
        }
        if (from != null && to != null && from > to) {
            throw ReconcileException.invalidRequest("'from' (" + from + ") must not be greater than 'to' (" + to + "); 'to' is exclusive");
        }
        KafkaLog.Bounds bounds = kafka.bounds(topic, partition);
        long t;
        if (to != null) {
            t = to;
        } else if (bounds.committed() >= 0) {
            t = bounds.committed();
        } else {
            throw ReconcileException.unprocessable("The bridge has committed no offset of " + topic + "/" + partition
                    + " yet, so there is no default end; give 'to' (at most the log end offset " + bounds.end() + ")");
        }
        long f = from != null ? from : defaultFrom(topic, partition, bounds.earliest(), t);
        if (f > t) {
            throw ReconcileException.unprocessable("'from' " + f + " lies after 'to' " + t + " (the " + (to == null ? "committed offset" : "end")
                    + "); give a 'from' of at most " + t);
        }
        if (t > bounds.end()) {
            throw ReconcileException.unprocessable("'to' " + t + " lies beyond the log end offset " + bounds.end() + " of " + topic + "/" + partition
                    + "; give a 'to' of at most " + bounds.end());
        }
        if (f < bounds.earliest()) {
            throw ReconcileException.unprocessable("'from' " + f + " lies before the earliest retained offset " + bounds.earliest() + " of " + topic
                    + "/" + partition + " (older records are gone from Kafka); give a 'from' of at least " + bounds.earliest());
        }
        if (t - f > maxOffsets) {
            throw ReconcileException.unprocessable("The range has " + (t - f) + " offsets, more than " + maxOffsets + " allowed here; " + tooLarge);
        }
        return new Range(topic, partition, f, t, bounds.end());
    }

    /**
     * Where a range without {@code from} begins: where the group started on the partition, since offsets before it were
     * never meant to be delivered, unless retention has removed them already or the start lies beyond the end (the group's
     * offsets were reset below it since, so those offsets are being delivered after all); else the earliest retained offset.
     */
    private long defaultFrom(String topic, int partition, long earliest, long end) {
        long start = ledger.groupStart(topic, partition);
        return start > earliest && start <= end ? start : earliest;
    }

    /** Reconciles the range. */
    public Outcome check(Range range, Progress progress) {
        long started = System.nanoTime();
        Instant now = Instant.now();
        TopicPartition tp = new TopicPartition(range.topic(), range.partition());
        TopicRouting routing = routes.routing(range.topic());
        if (routing.dropped()) {
            return new Outcome(dropped(range, List.of(new PartitionReport.RouteShare(Route.DROPPED.name(), null, range.size())), started), null,
                    new OffsetTally(range.from(), range.from()));
        }
        boolean searched = routing.searched();
        OffsetTally inSearch = searched ? new OffsetTally(range.from(), range.to()) : null;
        OffsetTally inBackup = new OffsetTally(range.from(), range.to());
        FailedInSearch failed = new FailedInSearch(range.from(), range.to());
        List<PartitionReport.RouteShare> shares = routing.byField() && range.size() > 0
                ? splitByRoute(range, tp, routing, inSearch, inBackup, progress)
                : List.of(new PartitionReport.RouteShare(routing.fallback().name(), routing.fallback().deliveryStream(), range.size()));
        if (inBackup.expected() == 0 && range.size() > 0) {
            return new Outcome(dropped(range, shares, started), null, new OffsetTally(range.from(), range.from()));
        }
        if (range.size() == 0) {
            return new Outcome(report(range, shares, inSearch, inBackup, failed, null, null, null, ReconciliationStatus.COMPLETE, started),
                    inSearch, inBackup);
        }
        // The search scan needs nothing from Kafka or the backup: it runs meanwhile on its own thread.
        AtomicBoolean abandoned = new AtomicBoolean();
        long[] reported = { range.from() };
        Future<SearchScanner.Result> searching = !searched ? null : search.scanInBackground(range.topic(), range.partition(), inSearch,
                reached -> {
                    progress.offsets((reached - reported[0]) / 2);
                    reported[0] = reached;
                }, () -> abandoned.get() || progress.cancelled());
        try (KafkaLog.Reader reader = kafka.reader()) {
            long firstTs = reader.timestamp(tp, range.from(), range.end());
            long lastTs = reader.timestamp(tp, range.to() - 1, range.end());
            Instant earliest = (firstTs < 0 ? now : Instant.ofEpochMilli(firstTs)).minus(config.clockSkewAllowance());
            Instant newest = lastTs < 0 ? now : Instant.ofEpochMilli(lastTs);
            Instant lastSent = ledger.latestSent(range.topic(), range.partition(), range.from(), range.to());
            if (lastSent != null && lastSent.isAfter(newest)) {
                newest = lastSent;
            }
            Instant latest = newest.plus(config.deliveryWindow()).plus(config.lagAllowance());
            if (latest.isAfter(now)) {
                latest = now;
            }
            if (earliest.isAfter(latest)) {
                earliest = latest;
            }
            long hours = BackupHours.hourCount(earliest, latest);
            if (hours > config.maxBackupHours()) {
                throw ReconcileException.unprocessable("The range's records arrived over " + hours + " hours, more than bridge.reconcile.max-backup-hours ("
                        + config.maxBackupHours() + ") allows in one check; split it into smaller offset ranges");
            }

            BackupScanner.Result backedUp = backup.scan(range.topic(), range.partition(), inBackup, failed, earliest, latest,
                    progress::objects, progress::cancelled);
            SearchScanner.Result searchScan = searching == null ? null : result(searching);
            // A failed-document line is a copy in the backup (in AllDocuments mode the record is also in a backup object).
            for (OffsetRange r : failed.ranges(Integer.MAX_VALUE)) {
                for (long o = r.first(); o <= r.last(); o++) {
                    if (!inBackup.has(o)) {
                        inBackup.add(o, 1);
                    }
                }
            }
            progress.offsets(range.size() - (reported[0] - range.from()) / 2);

            Instant oldestMissing = null;
            long firstMissing = minMissing(searched ? inSearch.firstMissing() : -1, inBackup.firstMissing());
            if (firstMissing >= 0) {
                oldestMissing = ledger.sentAt(range.topic(), range.partition(), firstMissing);
                if (oldestMissing == null) {
                    long ts = reader.timestamp(tp, firstMissing, range.end());
                    oldestMissing = ts < 0 ? now : Instant.ofEpochMilli(ts);
                }
            }
            ReconciliationStatus status = ReconciliationStatus.of(searched ? inSearch.missingCount() : 0, inBackup.missingCount(), oldestMissing,
                    Instant.now(), config.deliveryWindow(), firstMissing >= 0 && lostAfterConfirmed(range, inSearch, inBackup));
            return new Outcome(report(range, shares, inSearch, inBackup, failed, searchScan, backedUp, oldestMissing, status, started),
                    inSearch, inBackup);
        } finally {
            abandoned.set(true); // a failure on the Kafka or backup side stops the search scan too
        }
    }

    /** Whether an offset missing now lies in a ledger span the verifier once confirmed in search and the backup. */
    private boolean lostAfterConfirmed(Range range, OffsetTally inSearch, OffsetTally inBackup) {
        for (OffsetRange e : ledger.confirmed(range.topic(), range.partition(), range.from(), range.to())) {
            if ((inSearch != null && inSearch.missingWithin(e.first(), e.last()) > 0) || inBackup.missingWithin(e.first(), e.last()) > 0) {
                return true;
            }
        }
        return false;
    }

    /** The search scan's result; its failure is rethrown as it was (a ReconcileException stays one). */
    private static SearchScanner.Result result(Future<SearchScanner.Result> searching) {
        try {
            return searching.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            searching.cancel(true);
            throw new IllegalStateException("Interrupted while waiting for the search scan", e);
        }
    }

    private static long minMissing(long a, long b) {
        if (a < 0) {
            return b;
        }
        if (b < 0) {
            return a;
        }
        return Math.min(a, b);
    }

    /** Records read back from Kafka at a time, to find the routes of a topic routed by a field. */
    private static final int ROUTE_READ_CHUNK = 10_000;

    /**
     * For a topic routed by a field: reads the range's records back from Kafka, takes each one's route as the pipeline did,
     * and excludes each offset from the sides it was not sent to (search, for a record routed to an S3-only stream; both,
     * for a dropped one). An offset with no record (compacted away, a transaction marker) takes the topic's fallback route.
     */
    private List<PartitionReport.RouteShare> splitByRoute(Range range, TopicPartition tp, TopicRouting routing, OffsetTally inSearch,
            OffsetTally inBackup, Progress progress) {
        List<Route> destinations = routing.destinations();
        long[] counts = new long[destinations.size()];
        int fallback = destinations.indexOf(routing.fallback());
        try (KafkaLog.Reader reader = kafka.reader()) {
            long next = range.from();
            while (next < range.to() && !progress.cancelled()) {
                long last = Math.min(range.to() - 1, next + ROUTE_READ_CHUNK - 1);
                List<ConsumerRecord<byte[], byte[]>> records = reader.read(tp, List.of(new OffsetRange(next, last)), range.end(), ROUTE_READ_CHUNK);
                long expect = next;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    for (; expect < r.offset(); expect++) {
                        counts[fallback]++;
                        exclude(expect, routing.fallback(), inSearch, inBackup);
                    }
                    Route route = r.value() == null ? routing.fallback() : routing.route(r.value());
                    counts[destinations.indexOf(route)]++;
                    exclude(r.offset(), route, inSearch, inBackup);
                    expect = r.offset() + 1;
                }
                for (; expect <= last; expect++) {
                    counts[fallback]++;
                    exclude(expect, routing.fallback(), inSearch, inBackup);
                }
                next = last + 1;
            }
        }
        List<PartitionReport.RouteShare> shares = new ArrayList<>();
        for (int i = 0; i < destinations.size(); i++) {
            if (counts[i] > 0) {
                shares.add(new PartitionReport.RouteShare(destinations.get(i).name(), destinations.get(i).deliveryStream(), counts[i]));
            }
        }
        return shares;
    }

    private static void exclude(long offset, Route route, OffsetTally inSearch, OffsetTally inBackup) {
        if (route.dropped()) {
            inBackup.exclude(offset);
        }
        if (inSearch != null && !route.searched()) {
            inSearch.exclude(offset);
        }
    }

    /** The report on a range whose records are all dropped by rule: nothing looked for. */
    private PartitionReport dropped(Range range, List<PartitionReport.RouteShare> shares, long started) {
        PartitionReport.Side nothing = new PartitionReport.Side(0, 0, List.of(), 0, false, new PartitionReport.Duplicates(0, 0, List.of()),
                new PartitionReport.Scanned(null, null, List.of(), 0, 0, 0, 0L));
        return new PartitionReport(range.topic(), range.partition(), range.from(), range.to(), range.size(), ReconciliationStatus.DROPPED,
                null, nothing, new PartitionReport.Failed(0, List.of(), List.of()), null, Instant.now(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), PartitionReport.NOTHING, shares);
    }

    private PartitionReport report(Range range, List<PartitionReport.RouteShare> shares, OffsetTally inSearch, OffsetTally inBackup, FailedInSearch failed,
            SearchScanner.Result searched, BackupScanner.Result backedUp, Instant oldestMissing, ReconciliationStatus status,
            long started) {
        int ranges = config.maxListedRanges();
        PartitionReport.Scanned searchScanned = new PartitionReport.Scanned(searched == null ? List.of() : searched.indices(),
                searched == null ? 0L : searched.documents(), null, null, null, null, null);
        PartitionReport.Scanned backupScanned = new PartitionReport.Scanned(null, null,
                backedUp == null ? List.of() : backedUp.prefixes(), backedUp == null ? 0 : backedUp.objects(),
                backedUp == null ? 0 : backedUp.objectsRead(), backedUp == null ? 0 : backedUp.objectsFromCache(),
                backedUp == null ? 0L : backedUp.lines());
        return new PartitionReport(range.topic(), range.partition(), range.from(), range.to(), range.size(), status,
                inSearch == null ? null : side(inSearch, ranges, searchScanned), side(inBackup, ranges, backupScanned),
                new PartitionReport.Failed(failed.count(), failed.ranges(ranges), failed.errors()),
                oldestMissing, Instant.now(), Duration.ofNanos(System.nanoTime() - started).toMillis(),
                inSearch == null ? PartitionReport.BACKUP_ONLY : PartitionReport.SEARCH_AND_BACKUP, shares);
    }

    private PartitionReport.Side side(OffsetTally tally, int maxRanges, PartitionReport.Scanned scanned) {
        List<OffsetRange> missing = tally.missing(maxRanges);
        long rangeCount = missing.size() < maxRanges ? missing.size() : tally.missingRangeCount();
        return new PartitionReport.Side(tally.present(), tally.missingCount(), missing, rangeCount, rangeCount > missing.size(),
                new PartitionReport.Duplicates(tally.duplicatedOffsets(), tally.extraCopies(), tally.mostDuplicated(config.maxListedDuplicates())),
                scanned);
    }
}
