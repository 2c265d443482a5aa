package io.firehosebridge.reconcile.ledger;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.api.ApiException;
import io.firehosebridge.reconcile.repair.DuplicateRepair;
import io.firehosebridge.reconcile.scan.KafkaLog;
import io.firehosebridge.reconcile.scan.Reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Checks each ledger span once its delivery window has passed (and spans found incomplete again, every
 * recheck interval), writes the verdict back to the ledger, and exposes the gap as gauges an operator
 * can alert on: records delivered but not confirmed in search / in the backup, and the age of the
 * oldest unconfirmed span. Every replica holds the whole ledger, but checks and counts only the
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
    @io.smallrye.common.annotation.Identifier(PartitionOwnership.NAME)
    PartitionOwnership ownership;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        Gauge.builder("bridge.reconcile.unconfirmed.search", this, v -> v.unconfirmed(true))
                .description("Records delivered to Firehose but not (yet) confirmed in search").register(registry);
        Gauge.builder("bridge.reconcile.unconfirmed.backup", this, v -> v.unconfirmed(false))
                .description("Records delivered to Firehose but not (yet) confirmed in the S3 backup").register(registry);
        Gauge.builder("bridge.reconcile.unconfirmed.oldest.age", this, LedgerVerifier::oldestUnconfirmedAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest ledger span not confirmed in both search and backup; 0 when none").register(registry);
        Gauge.builder("bridge.reconcile.ledger.spans", ledger, DeliveryLedger::size)
                .description("Delivery ledger spans held in memory (every replica holds all)").register(registry);
        Gauge.builder("bridge.reconcile.verified.partitions", ownership, PartitionOwnership::count)
                .description("Partitions this replica consumes and therefore verifies; summed over replicas, the input topic's partitions")
                .register(registry);
        if (!config.ledger().enabled()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-verifier");
            t.setDaemon(true);
            return t;
        });
        long every = config.ledger().verifyInterval().toMillis();
        timer.scheduleWithFixedDelay(this::verifyDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** Checks every span that is due now. */
    void verifyDue() {
        if (!ledger.enabled()) {
            return;
        }
        try {
            Instant now = Instant.now();
            Map<TopicPartition, List<LedgerEntry>> due = new HashMap<>();
            ledger.forEach(e -> {
                if (ownership.owns(e.topic(), e.partition()) && isDue(e, now)) {
                    due.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), k -> new ArrayList<>()).add(e);
                }
            });
            for (Map.Entry<TopicPartition, List<LedgerEntry>> partition : due.entrySet()) {
                verify(partition.getKey(), partition.getValue());
            }
            ledger.forgetConfirmedBefore(now.minus(config.ledger().memoryRetention()));
        } catch (ApiException e) {
            LOG.warnf("Ledger verification postponed: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Ledger verification failed", e);
        }
    }

    private boolean isDue(LedgerEntry e, Instant now) {
        return switch (e.status()) {
            case UNVERIFIED -> e.sentAt().plus(config.deliveryWindow()).isBefore(now);
            case MISSING -> e.checkedAt() == null || e.checkedAt().plus(config.ledger().recheckInterval()).isBefore(now);
            case CONFIRMED -> false;
        };
    }

    private void verify(TopicPartition tp, List<LedgerEntry> spans) {
        spans.sort(Comparator.comparingLong(LedgerEntry::first));
        long end = kafka.bounds(tp.topic(), tp.partition()).end();
        List<LedgerEntry> group = new ArrayList<>();
        for (LedgerEntry span : spans) {
            if (!group.isEmpty()) {
                long from = group.get(0).first();
                long to = Math.max(group.get(group.size() - 1).last(), span.last()) + 1;
                if (span.first() - group.get(group.size() - 1).last() > MAX_GAP || to - from > config.ledger().maxOffsetsPerCheck()) {
                    check(tp, group, end);
                    group = new ArrayList<>();
                }
            }
            group.add(span);
        }
        if (!group.isEmpty()) {
            check(tp, group, end);
        }
    }

    private void check(TopicPartition tp, List<LedgerEntry> group, long end) {
        long from = group.get(0).first();
        long to = group.stream().mapToLong(LedgerEntry::last).max().orElseThrow() + 1;
        Reconciler.Range range = new Reconciler.Range(tp.topic(), tp.partition(), from, Math.min(to, end), end);
        Reconciler.Outcome outcome = reconciler.check(range, Reconciler.Progress.NONE);
        Instant at = Instant.now();
        int flagged = 0;
        for (LedgerEntry span : group) {
            LedgerEntry verdict = span.checked(at, outcome.search().missingWithin(span.first(), span.last()),
                    outcome.backup().missingWithin(span.first(), span.last()));
            if (verdict.status() == LedgerEntry.Status.MISSING) {
                flagged++;
            }
            ledger.write(verdict);
        }
        if (config.repair().verifier() && outcome.search().duplicatedOffsets() > 0) {
            try {
                // Opt-in: the same repair as POST /reconciliations/{id}/repair, over the range just verified.
                repair.repair(range, null, false, () -> Thread.currentThread().isInterrupted(), n -> {
                });
            } catch (ApiException e) {
                LOG.warnf("Ledger: the duplicates of %s offsets %d..%d are not repaired now (a later check of these offsets or "
                        + "POST /reconciliations/{id}/repair does it): %s", tp, from, to - 1, e.getMessage());
            }
        }
        if (flagged > 0) {
            LOG.warnf("Ledger: %d of %d spans of %s offsets %d..%d have records missing (search %d, backup %d)", flagged, group.size(), tp,
                    from, to - 1, outcome.search().missingCount(), outcome.backup().missingCount());
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
            timer.shutdownNow();
        }
    }
}
