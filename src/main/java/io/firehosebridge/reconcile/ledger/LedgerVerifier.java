package io.firehosebridge.reconcile.ledger;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.repair.DuplicateRepair;
import io.firehosebridge.reconcile.scan.KafkaLog;
import io.firehosebridge.reconcile.scan.OffsetTally;
import io.firehosebridge.reconcile.scan.Reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.RepeatedFailure;
import io.firehosebridge.background.TimedTask;
import io.firehosebridge.route.Routes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Checks each ledger span once its delivery window has passed and its offsets have been committed for a
 * delivery window ({@link SettledOffsets}: no send of them, not even one the ledger never heard of, can
 * still arrive), repairs its duplicates when the verifier repairs, and only then writes the verdict back
 * to the ledger; spans found incomplete (or, with repair on, still duplicated) are checked again every
 * recheck interval. It exposes the gap as gauges an operator can alert on: records delivered but not
 * confirmed in search / in the backup, duplicates seen and not repaired, and the age of the oldest
 * unconfirmed span. Every replica holds the whole ledger, but checks and counts only the
 * partitions it consumes now ({@link PartitionOwnership}), so each span is verified once in the group
 * and the gauges add up over replicas (sum the counts, take the max of the age).
 */
@ApplicationScoped
public class LedgerVerifier {

    private static final Logger LOG = Logger.getLogger(LedgerVerifier.class);
    /** Spans further apart than this are checked separately rather than as one range. */
    private static final long MAX_GAP = 10_000;

    @Inject
    DeliveryLedger ledger;

    @Inject
    Reconciler reconciler;

    @Inject
    KafkaLog kafka;

    @Inject
    ReconcileConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    DuplicateRepair repair;

    @Inject
    Routes routes;

    @Inject
    BackgroundWork background;

    @Inject
    @io.smallrye.common.annotation.Identifier(PartitionOwnership.NAME)
    PartitionOwnership ownership;

    private final SettledOffsets settled = new SettledOffsets();
    private TimedTask timer;
    /** A search cluster or Kafka that stays away postpones every run: its stack is logged once. */
    private final RepeatedFailure postponed = new RepeatedFailure(LOG);

    void start(@Observes StartupEvent event) {
        Gauge.builder("bridge.reconcile.unconfirmed.search", this, v -> v.unconfirmed(true))
                .description("Records delivered to Firehose but not (yet) confirmed in search").register(registry);
        Gauge.builder("bridge.reconcile.unconfirmed.backup", this, v -> v.unconfirmed(false))
                .description("Records delivered to Firehose but not (yet) confirmed in the S3 backup").register(registry);
        Gauge.builder("bridge.reconcile.unconfirmed.oldest.age", this, LedgerVerifier::oldestUnconfirmedAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest ledger span not confirmed in both search and backup; 0 when none").register(registry);
        Gauge.builder("bridge.reconcile.duplicates.unrepaired", this, LedgerVerifier::unrepairedDuplicates)
                .description("Offsets the verifier last found with more than one document in search and did not (yet) repair").register(registry);
        Gauge.builder("bridge.reconcile.ledger.spans", ledger, DeliveryLedger::size)
                .description("Delivery ledger spans held in memory (every replica holds all)").register(registry);
        Gauge.builder("bridge.reconcile.verified.partitions", ownership, PartitionOwnership::count)
                .description("Partitions this replica consumes and therefore verifies; summed over replicas, the input topic's partitions")
                .register(registry);
        if (!config.ledger().enabled()) {
            return;
        }
        Duration every = config.ledger().verifyInterval();
        timer = background.every("ledger-verifier", every, every, this::verifyDue);
    }

    /** Checks every span that is due now. */
    void verifyDue() {
        verifyDue(() -> Thread.currentThread().isInterrupted());
    }

    /**
     * Checks every span that is due now.
     *
     * @param stopping true once the verifier is being stopped: a check then ends without a verdict, so its spans stay open for
     *        whoever verifies the partition next
     */
    void verifyDue(BooleanSupplier stopping) {
        if (!ledger.enabled()) {
            return;
        }
        try {
            Instant now = Instant.now();
            watchCommits(now);
            Map<TopicPartition, List<LedgerEntry>> due = new HashMap<>();
            ledger.forEach(e -> {
                if (ownership.owns(e.topic(), e.partition()) && isDue(e, now)) {
                    due.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), k -> new ArrayList<>()).add(e);
                }
            });
            for (Map.Entry<TopicPartition, List<LedgerEntry>> partition : due.entrySet()) {
                if (!stopping.getAsBoolean()) {
                    verify(partition.getKey(), partition.getValue(), stopping);
                }
            }
            if (config.repair().verifier()) {
                for (TopicPartition tp : ownership.owned()) {
                    if (!stopping.getAsBoolean()) {
                        sweepUncovered(tp, now, stopping);
                    }
                }
            }
            ledger.forgetConfirmedBefore(now.minus(config.ledger().memoryRetention()));
            postponed.clear();
        } catch (ReconcileException e) {
            postponed.warn(e, "Ledger verification postponed");
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // The verifier is being stopped (shutdown or a dev-mode reload) while it waits for Kafka: nothing failed.
            LOG.debugf("Ledger verification stopped: %s", e.getMessage());
        } catch (RuntimeException | Error e) {
            // An Error too: the verifier goes on at its next run.
            LOG.error("Ledger verification failed; tried again at the next run", e);
        }
    }

    /** Reads the group's committed offsets of the partitions this replica owns; a reset reopens the spans above it. */
    private void watchCommits(Instant now) {
        Set<TopicPartition> owned = ownership.owned();
        settled.retainOnly(owned);
        Map<String, Map<Integer, Long>> committed = new HashMap<>();
        for (TopicPartition tp : owned) {
            Instant since = ownership.ownedSince(tp);
            Long offset = committed.computeIfAbsent(tp.topic(), kafka::committed).get(tp.partition());
            if (since == null || offset == null) {
                continue;
            }
            if (settled.observe(tp, offset, since, now, config.deliveryWindow())) {
                int reopened = ledger.reopen(tp, offset);
                LOG.warnf("Ledger: the group's committed offset of %s went back to %d (offsets reset); %d checked spans from there on are "
                        + "checked again once they are committed anew", tp, offset, reopened);
            }
            long mark = ledger.sweptTo(tp);
            if (!config.repair().verifier() || !ledger.current()) {
                continue;
            }
            if (mark < 0) {
                // No sweep yet in this group's history: from the earliest span the ledger holds (its sends may have been
                // repeated by owners killed before their flush), or from the commit when it holds none.
                long first = ledger.firstSpanOffset(tp);
                ledger.markSwept(tp, first < 0 ? offset : Math.min(first, offset));
            } else if (offset < mark) {
                // Offsets reset while the group was inactive: every owner is new, so SettledOffsets saw no step back. The
                // offsets from there on are sent again, into checked spans too.
                int reopened = ledger.reopen(tp, offset);
                ledger.markSwept(tp, offset);
                LOG.warnf("Ledger: the group's committed offset of %s is %d, below where it was swept to (%d): offsets reset; %d checked "
                        + "spans from there on are checked again once they are committed anew", tp, offset, mark, reopened);
            }
        }
    }

    private boolean isDue(LedgerEntry e, Instant now) {
        return switch (e.status()) {
            // Only once no send of its records can still arrive: one check then sees every copy.
            case UNVERIFIED -> e.sentAt().plus(config.deliveryWindow()).isBefore(now)
                    && settled.settled(new TopicPartition(e.topic(), e.partition()), e.last(), now, config.deliveryWindow());
            case MISSING, DUPLICATED -> e.checkedAt() == null || e.checkedAt().plus(config.ledger().recheckInterval()).isBefore(now);
            case CONFIRMED -> false;
        };
    }

    private void verify(TopicPartition tp, List<LedgerEntry> spans, BooleanSupplier stopping) {
        spans.sort(Comparator.comparingLong(LedgerEntry::first));
        long end = kafka.bounds(tp.topic(), tp.partition()).end();
        List<LedgerEntry> group = new ArrayList<>();
        for (LedgerEntry span : spans) {
            if (!group.isEmpty()) {
                long from = group.get(0).first();
                long to = Math.max(group.get(group.size() - 1).last(), span.last()) + 1;
                if (span.first() - group.get(group.size() - 1).last() > MAX_GAP || to - from > config.ledger().maxOffsetsPerCheck()) {
                    check(tp, group, end, stopping);
                    group = new ArrayList<>();
                }
            }
            group.add(span);
        }
        if (!group.isEmpty()) {
            check(tp, group, end, stopping);
        }
    }

    /**
     * Repairs the duplicates among committed offsets that no ledger span covers, once they are settled. A send is missing from
     * the ledger when its owner was killed after the group committed it and before the ledger's next flush; when the offsets
     * were also sent by an earlier owner that was killed the same way, no span and so no span check ever covers their two
     * copies. The sweep goes from the partition's sweep mark (in the ledger topic, so the next owner carries on) to the settled
     * offset, and then moves the mark. Dead-lettered offsets are such gaps too; the sweep only looks for duplicates, never for
     * missing records.
     */
    private void sweepUncovered(TopicPartition tp, Instant now, BooleanSupplier stopping) {
        long from = ledger.sweptTo(tp);
        long to = settled.settledTo(tp, now, config.deliveryWindow());
        if (from < 0 || to <= from || !ledger.current()) {
            return;
        }
        if (!routes.routing(tp.topic()).searched()) {
            ledger.markSwept(tp, to); // no search destination, so no duplicate documents to remove (S3 keeps its copies)
            return;
        }
        // At most one check's worth of uncovered offsets per run, so that one partition's backlog does not hold up the rest.
        long budget = config.ledger().maxOffsetsPerCheck();
        long reached = to;
        try {
            for (long[] range : merged(ledger.uncovered(tp, from, to), config.searchPageSize())) {
                if (budget <= 0) {
                    reached = range[0];
                    break;
                }
                if (stopping.getAsBoolean() || !ownership.owns(tp.topic(), tp.partition())) {
                    return;
                }
                repair.repair(new Reconciler.Range(tp.topic(), tp.partition(), range[0], range[1] + 1, range[1] + 1), null, false, stopping,
                        n -> {
                        });
                budget -= range[1] + 1 - range[0];
                // Everything below this range's end is swept or covered by spans: a kill from here on repeats no range.
                if (!stopping.getAsBoolean()) {
                    ledger.markSwept(tp, range[1] + 1);
                }
            }
        } catch (ReconcileException e) {
            LOG.warnf(e, "Ledger: the committed offsets %d..%d of %s that no span covers are not swept for duplicates now; the next "
                    + "verification tries again", from, to - 1, tp);
            return;
        }
        if (!stopping.getAsBoolean() && ownership.owns(tp.topic(), tp.partition())) {
            ledger.markSwept(tp, reached);
        }
    }

    /** Ranges closer than {@code gap} joined into one: the repair scans search in windows of that many offsets anyway. */
    static List<long[]> merged(List<long[]> ranges, long gap) {
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] - last[1] <= gap) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[] { r[0], r[1] });
            }
        }
        return out;
    }

    /**
     * Checks a group of spans, repairs their duplicates when the verifier repairs, and only then writes the verdicts: a check
     * that is stopped or killed before that leaves the spans as they were, to be checked (and repaired) again.
     */
    private void check(TopicPartition tp, List<LedgerEntry> group, long end, BooleanSupplier stopping) {
        long from = group.get(0).first();
        long to = group.stream().mapToLong(LedgerEntry::last).max().orElseThrow() + 1;
        Reconciler.Range range = new Reconciler.Range(tp.topic(), tp.partition(), from, Math.min(to, end), end);
        Reconciler.Outcome outcome = reconciler.check(range, Reconciler.Progress.NONE);
        OffsetTally search = outcome.search(); // null: an S3-only stream, whose spans are checked in S3 alone
        boolean repairing = config.repair().verifier() && search != null; // nothing to repair without a search destination
        boolean repaired = false;
        if (repairing && search.duplicatedOffsets() > 0) {
            try {
                // The same repair as POST /reconciliations/{id}/repair, over the range just verified.
                repaired = repair.repair(range, null, false, stopping, n -> {
                }).deletedAll();
            } catch (ReconcileException e) {
                LOG.warnf(e, "Ledger: the duplicates of %s offsets %d..%d are not repaired now; the spans stay open and are repaired at the "
                        + "next check (in %s)", tp, from, to - 1, config.ledger().recheckInterval());
            }
        }
        if (stopping.getAsBoolean()) {
            return; // no verdict: whoever verifies the partition next checks (and repairs) these spans again
        }
        Instant at = Instant.now();
        int flagged = 0;
        for (LedgerEntry span : group) {
            long duplicatesLeft = repaired || search == null ? 0 : search.duplicatedWithin(span.first(), span.last());
            LedgerEntry verdict = span.checked(at, search == null ? 0 : search.missingWithin(span.first(), span.last()),
                    outcome.backup().missingWithin(span.first(), span.last()), duplicatesLeft, repairing);
            if (verdict.status() == LedgerEntry.Status.MISSING) {
                flagged++;
            }
            ledger.write(verdict);
        }
        if (flagged > 0) {
            LOG.warnf("Ledger: %d of %d spans of %s offsets %d..%d have records missing (search %d, backup %d)", flagged, group.size(), tp,
                    from, to - 1, search == null ? 0 : search.missingCount(), outcome.backup().missingCount());
        }
    }

    private double unconfirmed(boolean search) {
        long[] n = { 0 };
        ledger.forEach(e -> {
            if (!ownership.owns(e.topic(), e.partition())) {
                return;
            }
            switch (e.status()) {
                case UNVERIFIED -> n[0] += e.records();
                case MISSING -> n[0] += search ? e.missingInSearch() : e.missingInBackup();
                default -> {
                }
            }
        });
        return n[0];
    }

    private double unrepairedDuplicates() {
        long[] n = { 0 };
        ledger.forEach(e -> {
            if (ownership.owns(e.topic(), e.partition())) {
                n[0] += e.duplicatedInSearch();
            }
        });
        return n[0];
    }

    private double oldestUnconfirmedAgeSeconds() {
        Instant[] oldest = { null };
        ledger.forEach(e -> {
            if (e.status() != LedgerEntry.Status.CONFIRMED && ownership.owns(e.topic(), e.partition())
                    && (oldest[0] == null || e.sentAt().isBefore(oldest[0]))) {
                oldest[0] = e.sentAt();
            }
        });
        return oldest[0] == null ? 0 : Duration.between(oldest[0], Instant.now()).toMillis() / 1000.0;
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.stopNow();
        }
    }
}
