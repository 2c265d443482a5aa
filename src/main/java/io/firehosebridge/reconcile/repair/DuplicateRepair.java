package io.firehosebridge.reconcile.repair;

import io.firehosebridge.pace.Pacer;
import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.scan.IndexedCopy;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.Reconciler;
import io.firehosebridge.reconcile.scan.SearchScanner;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;
import io.firehosebridge.route.TopicRouting;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Makes the search index hold one document per Kafka record of a partition range: finds the offsets with
 * more than one copy (window by window, as the reconciliation does), lists their copies with index, id and
 * version, keeps one by {@link KeepRule} and deletes the others with bulk deletes that name each copy
 * exactly (index, id and, where the engine offers it, its sequence number and primary term, so a copy that
 * changed meanwhile is left alone), never with a query. Never touches the S3 backup. Deletes are paced to
 * {@code bridge.reconcile.repair.max-deletes-per-second} across the replica. Before it returns, the indices it deleted from are
 * refreshed, so that a reconciliation started right after it sees the index as the repair left it.
 */
@ApplicationScoped
public class DuplicateRepair {

    private static final Logger LOG = Logger.getLogger(DuplicateRepair.class);
    /** Copies listed per search request (below the engines' default result window of 10,000). */
    static final int COPIES_PER_QUERY = 4_000;

    @Inject
    SearchScanner scanner;

    @Inject
    RestClient search;

    @Inject
    ReconcileConfig config;

    @Inject
    Routes routes;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private Counter removed;
    /** One timeline for the deletes of every repair in this replica, so repairs running at once share the rate. */
    private Pacer deletes;
    private int deletesPerSecond;

    @PostConstruct
    void init() {
        removed = Counter.builder("bridge.reconcile.repair.copies.removed")
                .description("Duplicate copies deleted from the search index by repairs (one copy of each offset is always kept)")
                .register(registry);
        deletesPerSecond = config.repair().maxDeletesPerSecond();
        if (deletesPerSecond <= 0) {
            throw new IllegalArgumentException("bridge.reconcile.repair.max-deletes-per-second must be positive, not " + deletesPerSecond);
        }
        deletes = new Pacer(Duration.ZERO, System::nanoTime);
    }

    /** 409 unless some of the topic's records go to a stream with a search destination: repair deletes from search, never from S3. */
    public static void requireSearch(TopicRouting routing, String topic) {
        if (routing.dropped()) {
            throw ReconcileException.conflict("The records of " + topic + " are dropped (bridge.routing.unmatched=drop): none was sent, so there is nothing to repair");
        }
        if (!routing.searched()) {
            throw ReconcileException.conflict("The delivery stream " + routing.streams().stream().map(Route::deliveryStream).collect(Collectors.joining(", "))
                    + " of " + topic + " has no search destination (S3 only): repair deletes duplicate documents from the search index, and there is "
                    + "none; duplicates in S3 are kept, as Firehose wrote them");
        }
    }

    /**
     * Repairs one partition range (or, with {@code dryRun}, only reports what it would delete).
     *
     * @param source the reconciliation the range comes from, named in the report; null for the verifier
     * @param cancelled checked between requests; a cancelled repair returns what it did so far
     * @param checked told the offsets checked after each window
     */
    public RepairReport repair(Reconciler.Range range, String source, boolean dryRun, BooleanSupplier cancelled, LongConsumer checked) {
        requireSearch(routes.routing(range.topic()), range.topic());
        Set<String> touched = new TreeSet<>();
        RepairReport total;
        try {
            total = repairWindows(range, source, dryRun, cancelled, checked, touched);
        } catch (RuntimeException e) {
            try {
                refresh(touched); // what was deleted before the failure is visible too
            } catch (RuntimeException notRefreshed) {
                e.addSuppressed(notRefreshed);
            }
            throw e;
        }
        refresh(touched);
        if (total.duplicatedOffsets() > 0) {
            LOG.infof("Repair%s of %s-%d offsets %d..%d: %d duplicated offsets, %d copies %s, %d changed meanwhile, %d without valid coordinates left",
                    dryRun ? " (dry run)" : "", range.topic(), range.partition(), range.from(), range.to() - 1, total.duplicatedOffsets(),
                    dryRun ? total.copiesToDelete() : total.copiesDeleted(), dryRun ? "would be deleted" : "deleted", total.copiesChanged(),
                    total.copiesInvalid());
        }
        return total;
    }

    private RepairReport repairWindows(Reconciler.Range range, String source, boolean dryRun, BooleanSupplier cancelled, LongConsumer checked,
            Set<String> touched) {
        RepairReport total = RepairReport.none(source, dryRun);
        int window = config.searchPageSize();
        for (long start = range.from(); start < range.to() && !cancelled.getAsBoolean(); start += window) {
            long end = Math.min(range.to(), start + window);
            List<PartitionReport.OffsetCopies> duplicated = scanner.duplicated(range.topic(), range.partition(), start, end);
            int i = 0;
            while (i < duplicated.size() && !cancelled.getAsBoolean()) {
                List<Long> batch = new ArrayList<>();
                long copies = 0;
                while (i < duplicated.size() && (batch.isEmpty() || copies + duplicated.get(i).copies() <= COPIES_PER_QUERY)) {
                    batch.add(duplicated.get(i).offset());
                    copies += duplicated.get(i).copies();
                    i++;
                }
                total = total.plus(repairOffsets(range, source, dryRun, batch, copies, cancelled, touched), config.repair().maxListedOffsets());
            }
            checked.accept(end - start);
        }
        return total;
    }

    /** Makes the repair's deletes visible to search: one refresh naming every index it deleted from. */
    private void refresh(Set<String> indices) {
        if (indices.isEmpty()) {
            return;
        }
        try {
            search.performRequest(new Request("POST", "/" + String.join(",", indices) + "/_refresh"));
        } catch (IOException e) {
            throw ReconcileException.unavailable("Search cluster", "The repair's deletes are done, but refreshing " + indices
                    + " failed, so a reconciliation may still count the deleted copies for up to the indices' refresh interval: "
                    + (e.getMessage() == null ? "no answer" : e.getMessage()));
        }
    }

    /** Lists the copies of these offsets, decides and deletes; a listing that may be cut short is split and done in halves. */
    private RepairReport repairOffsets(Reconciler.Range range, String source, boolean dryRun, List<Long> offsets, long expectedCopies,
            BooleanSupplier cancelled, Set<String> touched) {
        int size = (int) Math.min(9_000, expectedCopies * 2 + 100);
        List<IndexedCopy> found = scanner.copies(range.topic(), range.partition(), offsets, size);
        if (found.size() >= size && offsets.size() > 1) {
            int half = offsets.size() / 2;
            return repairOffsets(range, source, dryRun, offsets.subList(0, half), expectedCopies / 2, cancelled, touched)
                    .plus(repairOffsets(range, source, dryRun, offsets.subList(half, offsets.size()), expectedCopies / 2, cancelled, touched),
                            config.repair().maxListedOffsets());
        }
        Set<Long> asked = new HashSet<>(offsets);
        Map<Long, List<IndexedCopy>> byOffset = new LinkedHashMap<>();
        long invalid = 0;
        for (IndexedCopy c : found) {
            if (c.offset() != null && asked.contains(c.offset())) {
                byOffset.computeIfAbsent(c.offset(), o -> new ArrayList<>()).add(c);
            } else {
                invalid++; // matched the query but its source does not carry one of these offsets as a number
            }
        }
        long duplicated = 0;
        long kept = 0;
        List<IndexedCopy> delete = new ArrayList<>();
        List<RepairReport.RepairedOffset> listed = new ArrayList<>();
        for (Map.Entry<Long, List<IndexedCopy>> e : byOffset.entrySet()) {
            KeepRule.Decision d = KeepRule.decide(range.topic(), range.partition(), e.getKey(), e.getValue());
            invalid += d.invalid().size();
            if (d.delete().isEmpty()) {
                continue; // one valid copy (or none) left: nothing to do
            }
            duplicated++;
            kept++;
            delete.addAll(d.delete());
            if (listed.size() < config.repair().maxListedOffsets()) {
                listed.add(new RepairReport.RepairedOffset(range.partition(), e.getKey(), ref(d.kept()), d.delete().stream().map(DuplicateRepair::ref)
                        .toList()));
            }
        }
        long deleted = 0;
        long changed = 0;
        if (!dryRun) {
            int bulk = Math.max(1, config.repair().bulkSize());
            for (int i = 0; i < delete.size(); i += bulk) {
                List<IndexedCopy> chunk = delete.subList(i, Math.min(delete.size(), i + bulk));
                if (!deletes.await(chunk.size(), deletesPerSecond, cancelled)) {
                    break;
                }
                long[] outcome = deleteExactly(chunk, touched);
                deleted += outcome[0];
                changed += outcome[1];
            }
        }
        return new RepairReport(source, dryRun, duplicated, kept, delete.size(), deleted, changed, invalid, listed,
                listed.size() < duplicated);
    }

    private static RepairReport.Copy ref(IndexedCopy c) {
        return new RepairReport.Copy(c.index(), c.id());
    }

    /** One bulk request deleting exactly these copies; {deleted, changed or already gone}. Adds the indices it deleted from to {@code touched}. */
    private long[] deleteExactly(List<IndexedCopy> copies, Set<String> touched) {
        StringBuilder body = new StringBuilder(copies.size() * 160);
        for (IndexedCopy c : copies) {
            ObjectNode action = json.createObjectNode();
            ObjectNode target = action.putObject("delete");
            target.put("_index", c.index());
            if (c.type() != null) {
                target.put("_type", c.type());
            }
            target.put("_id", c.id());
            if (c.seqNo() != null && c.primaryTerm() != null && c.seqNo() >= 0) {
                target.put("if_seq_no", c.seqNo());
                target.put("if_primary_term", c.primaryTerm());
            } else if (c.version() != null) {
                target.put("version", c.version()); // engines without sequence numbers in search hits
            }
            body.append(action).append('\n');
        }
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", "items.*.status,items.*.error.type,items.*.error.reason");
        // UTF-8 bytes under a bare media type: Elasticsearch 6.x answers 406 to "application/x-ndjson; charset=UTF-8".
        request.setEntity(new NByteArrayEntity(body.toString().getBytes(StandardCharsets.UTF_8), ContentType.create("application/x-ndjson")));
        JsonNode answer;
        try (InputStream in = search.performRequest(request).getEntity().getContent()) {
            answer = json.readTree(in);
        } catch (ResponseException e) {
            throw ReconcileException.unavailable("Search cluster", "The search cluster answered HTTP " + e.getResponse().getStatusLine().getStatusCode()
                    + " to the bulk delete of duplicate copies; nothing else was deleted, start the repair again");
        } catch (IOException e) {
            throw ReconcileException.unavailable("Search cluster", "The search cluster (quarkus.elasticsearch.hosts) cannot be reached: "
                    + (e.getMessage() == null ? "no answer" : e.getMessage()));
        }
        long deleted = 0;
        long changed = 0;
        String failure = null;
        int i = 0;
        for (JsonNode item : answer.path("items")) {
            JsonNode d = item.path("delete");
            int status = d.path("status").asInt();
            IndexedCopy copy = i < copies.size() ? copies.get(i) : null;
            i++;
            if (status == 200) {
                deleted++;
                if (copy != null) {
                    touched.add(copy.index());
                }
            } else if (status == 404 || status == 409) {
                changed++; // deleted by another repair meanwhile, or changed since it was listed: left as it is
            } else if (failure == null) {
                failure = "HTTP " + status + " " + d.path("error").path("type").asText("") + ": " + d.path("error").path("reason").asText("");
            }
        }
        removed.increment(deleted);
        if (failure != null) {
            throw ReconcileException.unavailable("Search cluster", "The search cluster refused deleting duplicate copies (" + failure + "); "
                    + deleted + " of " + copies.size() + " in this request were deleted, start the repair again to finish");
        }
        return new long[] { deleted, changed };
    }
}
