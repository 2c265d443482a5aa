package io.firehosebridge.coverage;

import io.firehosebridge.coverage.CoverageView.Counts;
import io.firehosebridge.coverage.CoverageView.Figures;
import io.firehosebridge.coverage.CoverageView.PartitionCoverage;
import io.firehosebridge.coverage.CoverageView.Side;
import io.firehosebridge.coverage.CoverageView.Stretch;
import io.firehosebridge.reconcile.ledger.LedgerEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns one partition's ledger spans into the coverage page's bars: every offset from the first to the last
 * span, on each side, in the best state a span holding it claims (a confirmed re-drive covers an earlier
 * span's gap), as stretches of one state. Pure logic: the spans, the clock and the window are given.
 */
final class LedgerCoverage {

    private LedgerCoverage() {
    }

    /** The bars and figures of one partition; {@code spans} must not be empty. */
    static PartitionCoverage of(String topic, int partition, List<LedgerEntry> spans, Instant now, Duration window, int maxStretches) {
        return of(topic, partition, spans, now, window, maxStretches, true);
    }

    /** The same, with no search bar when the stream has no search destination ({@code searchDestination} false). */
    static PartitionCoverage of(String topic, int partition, List<LedgerEntry> spans, Instant now, Duration window, int maxStretches,
            boolean searchDestination) {
        long first = spans.stream().mapToLong(LedgerEntry::first).min().orElseThrow();
        long last = spans.stream().mapToLong(LedgerEntry::last).max().orElseThrow();
        Figures figures = figures(spans, now);
        if (!searchDestination) {
            // Nothing is sent to search, so nothing waits for it.
            figures = new Figures(0, figures.unconfirmedBackup(), figures.oldestUnconfirmedSentAt(), figures.oldestUnconfirmedAgeSeconds(),
                    figures.unrepairedDuplicates());
        }
        return new PartitionCoverage(topic, partition, first, last, spans.size(), figures,
                searchDestination ? side(spans, true, first, last, now, window, maxStretches) : null,
                side(spans, false, first, last, now, window, maxStretches));
    }

    /** The state a span claims for its offsets on one side. */
    static CoverageState state(LedgerEntry span, boolean search, Instant now, Duration window) {
        return switch (span.status()) {
            case CONFIRMED -> CoverageState.CONFIRMED;
            case MISSING -> missing(span, search) > 0 ? CoverageState.MISSING : CoverageState.CONFIRMED;
            case DUPLICATED -> CoverageState.CONFIRMED; // every record is there; the duplicates are counted in the figures
            case UNVERIFIED -> span.sentAt().plus(window).isAfter(now) ? CoverageState.PENDING : CoverageState.OVERDUE;
        };
    }

    private static long missing(LedgerEntry span, boolean search) {
        return search ? span.missingInSearch() : span.missingInBackup();
    }

    /** Completeness counted as the verifier's gauges count it, over these spans. */
    static Figures figures(List<LedgerEntry> spans, Instant now) {
        long search = 0;
        long backup = 0;
        long duplicates = 0;
        Instant oldest = null;
        for (LedgerEntry e : spans) {
            duplicates += e.duplicatedInSearch();
            if (e.status() == LedgerEntry.Status.CONFIRMED) {
                continue;
            }
            search += e.status() == LedgerEntry.Status.UNVERIFIED ? e.records() : e.missingInSearch();
            backup += e.status() == LedgerEntry.Status.UNVERIFIED ? e.records() : e.missingInBackup();
            if (oldest == null || e.sentAt().isBefore(oldest)) {
                oldest = e.sentAt();
            }
        }
        return new Figures(search, backup, oldest, age(oldest, now), duplicates);
    }

    /** The figures of several partitions together: counts add up, the oldest is the oldest. */
    static Figures total(List<Figures> parts, Instant now) {
        long search = 0;
        long backup = 0;
        long duplicates = 0;
        Instant oldest = null;
        for (Figures f : parts) {
            search += f.unconfirmedSearch();
            backup += f.unconfirmedBackup();
            duplicates += f.unrepairedDuplicates();
            if (f.oldestUnconfirmedSentAt() != null && (oldest == null || f.oldestUnconfirmedSentAt().isBefore(oldest))) {
                oldest = f.oldestUnconfirmedSentAt();
            }
        }
        return new Figures(search, backup, oldest, age(oldest, now), duplicates);
    }

    private static double age(Instant oldest, Instant now) {
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toMillis()) / 1000.0;
    }

    /** A boundary of a span: where its state starts to hold ({@code delta} 1) or stops ({@code delta} -1). */
    private record Edge(long at, CoverageState state, int delta) {
    }

    /** A stretch being built. */
    private static final class Piece {
        final long first;
        long last;
        final CoverageState state;
        Counts counts;
        long missingAtCheck;
        int spans;
        Instant sentFrom;
        Instant sentTo;
        boolean redriven;

        Piece(long first, long last, CoverageState state) {
            this.first = first;
            this.last = last;
            this.state = state;
        }

        Stretch stretch() {
            return new Stretch(first, last, state, counts == null ? Counts.of(state, last - first + 1) : counts, missingAtCheck, spans, sentFrom,
                    sentTo, redriven);
        }
    }

    private static Side side(List<LedgerEntry> spans, boolean search, long first, long last, Instant now, Duration window, int maxStretches) {
        List<Edge> edges = new ArrayList<>(spans.size() * 2);
        for (LedgerEntry span : spans) {
            CoverageState state = state(span, search, now, window);
            edges.add(new Edge(span.first(), state, 1));
            edges.add(new Edge(span.last() + 1, state, -1));
        }
        edges.sort(Comparator.comparingLong(Edge::at));
        int[] active = new int[CoverageState.values().length];
        List<Piece> pieces = new ArrayList<>();
        long cursor = first;
        int i = 0;
        while (i < edges.size()) {
            long at = edges.get(i).at();
            if (at > cursor) {
                append(pieces, cursor, at - 1, best(active));
                cursor = at;
            }
            for (; i < edges.size() && edges.get(i).at() == at; i++) {
                active[edges.get(i).state().ordinal()] += edges.get(i).delta();
            }
        }
        if (cursor <= last) {
            append(pieces, cursor, last, best(active));
        }
        describe(pieces, spans, search, now, window);
        Counts counts = Counts.NONE;
        for (Piece p : pieces) {
            counts = counts.plus(Counts.of(p.state, p.last - p.first + 1));
        }
        boolean merged = pieces.size() > maxStretches;
        if (merged) {
            pieces = merge(pieces, last - first + 1, Math.max(1, maxStretches));
        }
        return new Side(counts, pieces.stream().map(Piece::stretch).toList(), merged);
    }

    /** The best state an offset has when the spans holding it claim these states (none: not in the ledger). */
    private static CoverageState best(int[] active) {
        for (CoverageState s : CoverageState.values()) {
            if (s != CoverageState.NOT_IN_LEDGER && active[s.ordinal()] > 0) {
                return s;
            }
        }
        return CoverageState.NOT_IN_LEDGER;
    }

    private static void append(List<Piece> pieces, long first, long last, CoverageState state) {
        Piece previous = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
        if (previous != null && previous.state == state && previous.last + 1 == first) {
            previous.last = last;
        } else {
            pieces.add(new Piece(first, last, state));
        }
    }

    /** Adds to each piece what the spans that gave it its state say: how many, when sent, re-driven, records missing. */
    private static void describe(List<Piece> pieces, List<LedgerEntry> spans, boolean search, Instant now, Duration window) {
        for (LedgerEntry span : spans) {
            CoverageState state = state(span, search, now, window);
            for (int k = firstOverlapping(pieces, span.first()); k < pieces.size() && pieces.get(k).first <= span.last(); k++) {
                Piece p = pieces.get(k);
                if (p.state != state) {
                    continue;
                }
                p.spans++;
                p.redriven |= span.redriven();
                if (state == CoverageState.MISSING) {
                    p.missingAtCheck += missing(span, search);
                }
                if (p.sentFrom == null || span.sentAt().isBefore(p.sentFrom)) {
                    p.sentFrom = span.sentAt();
                }
                if (p.sentTo == null || span.sentAt().isAfter(p.sentTo)) {
                    p.sentTo = span.sentAt();
                }
            }
        }
    }

    /** Index of the piece holding the offset (pieces are contiguous and in order). */
    private static int firstOverlapping(List<Piece> pieces, long offset) {
        int lo = 0;
        int hi = pieces.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (pieces.get(mid).first <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Neighbouring pieces joined until each holds at least total/max + 1 offsets: at most {@code max} remain. */
    private static List<Piece> merge(List<Piece> pieces, long total, int max) {
        long target = total / max + 1;
        List<Piece> out = new ArrayList<>();
        List<Piece> group = new ArrayList<>();
        long size = 0;
        for (Piece p : pieces) {
            group.add(p);
            size += p.last - p.first + 1;
            if (size >= target) {
                out.add(join(group));
                group = new ArrayList<>();
                size = 0;
            }
        }
        if (!group.isEmpty()) {
            out.add(join(group));
        }
        return out;
    }

    private static Piece join(List<Piece> group) {
        CoverageState state = group.get(0).state;
        for (Piece p : group) {
            state = CoverageState.worst(state, p.state);
        }
        Piece joined = new Piece(group.get(0).first, group.get(group.size() - 1).last, state);
        joined.counts = Counts.NONE;
        for (Piece p : group) {
            joined.counts = joined.counts.plus(p.counts == null ? Counts.of(p.state, p.last - p.first + 1) : p.counts);
            joined.missingAtCheck += p.missingAtCheck;
            joined.spans += p.spans;
            joined.redriven |= p.redriven;
            if (p.sentFrom != null && (joined.sentFrom == null || p.sentFrom.isBefore(joined.sentFrom))) {
                joined.sentFrom = p.sentFrom;
            }
            if (p.sentTo != null && (joined.sentTo == null || p.sentTo.isAfter(joined.sentTo))) {
                joined.sentTo = p.sentTo;
            }
        }
        return joined;
    }
}
