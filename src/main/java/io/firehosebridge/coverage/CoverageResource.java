package io.firehosebridge.coverage;

import io.firehosebridge.coverage.CoverageView.Figures;
import io.firehosebridge.coverage.CoverageView.PartitionCoverage;
import io.firehosebridge.coverage.CoverageView.StretchTimes;
import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.api.ApiError;
import io.firehosebridge.reconcile.api.ApiText;
import io.firehosebridge.reconcile.ledger.DeliveryLedger;
import io.firehosebridge.reconcile.ledger.LedgerEntry;
import io.firehosebridge.reconcile.scan.KafkaLog;
import io.firehosebridge.reconcile.scan.Reconciler;
import io.firehosebridge.route.Routes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What the coverage page reads: the ledger's coverage per topic and partition, and the Kafka timestamps of a
 * stretch. Under {@code /reconciliations}, so it is protected like the rest of the reconciliation API (a viewer may
 * read it); {@code ledger/coverage} cannot be taken for a topic and partition (a partition is a number).
 */
@Path("/reconciliations/ledger/coverage")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Reconciliation")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "400", description = "Invalid input", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "401", description = "Token required, or not valid", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "403", description = "The token's roles grant neither viewer nor operator",
        content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
public class CoverageResource {

    @Inject
    DeliveryLedger ledger;

    @Inject
    ReconcileConfig reconcile;

    @Inject
    CoverageConfig config;

    @Inject
    Routes routes;

    @Inject
    KafkaLog kafka;

    @GET
    @Operation(summary = "The delivery ledger's coverage per topic and partition, for the coverage page",
            description = "Per partition, from the first to the last offset the ledger knows, stretches of confirmed, pending, overdue, "
                    + "missing and unknown offsets for search and for the backup, and the completeness figures the alerts use. "
                    + "topic: only that topic.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CoverageView.class)))
    public CoverageView coverage(@QueryParam("topic") String topic) {
        String only = topic == null || topic.isEmpty() ? null : topic;
        if (only != null) {
            Reconciler.checkTopic(only);
        }
        Map<TopicPartition, List<LedgerEntry>> spans = new TreeMap<>(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        ledger.forEach(e -> {
            if (only == null || only.equals(e.topic())) {
                spans.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), k -> new ArrayList<>()).add(e);
            }
        });
        Instant now = Instant.now();
        List<PartitionCoverage> partitions = new ArrayList<>();
        List<Figures> figures = new ArrayList<>();
        spans.forEach((tp, entries) -> {
            PartitionCoverage p = LedgerCoverage.of(tp.topic(), tp.partition(), entries, now, reconcile.deliveryWindow(), config.maxStretches(),
                    routes.routing(tp.topic()).searched());
            partitions.add(p);
            figures.add(p.figures());
        });
        return new CoverageView(now, ledger.enabled(), reconcile.deliveryWindow().toSeconds(), config.refreshInterval().toMillis() / 1000.0,
                LedgerCoverage.total(figures, now), partitions);
    }

    @GET
    @Path("/timestamps")
    @Operation(summary = "Kafka timestamps of the first and last record of a stretch",
            description = "first and last inclusive; a record gone from the log (retention, compaction) is replaced by the next one retained.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = StretchTimes.class)))
    @APIResponse(responseCode = "404", description = "Unknown topic or partition", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "Kafka is unreachable", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public StretchTimes timestamps(@QueryParam("topic") String topic, @QueryParam("partition") String partition,
            @QueryParam("first") String first, @QueryParam("last") String last) {
        Reconciler.checkTopic(topic);
        int p = ApiText.parsePartition(partition);
        Long from = ApiText.parseLong("first", first);
        Long to = ApiText.parseLong("last", last);
        if (from == null || to == null) {
            throw ReconcileException.invalidRequest("'first' and 'last' are required: the stretch's first and last offsets");
        }
        if (from < 0) {
            throw ReconcileException.invalidRequest("'first' must be 0 or more, not " + from);
        }
        if (to < from) {
            throw ReconcileException.invalidRequest("'last' (" + to + ") must not be less than 'first' (" + from + ")");
        }
        KafkaLog.Bounds bounds = kafka.bounds(topic, p);
        TopicPartition tp = new TopicPartition(topic, p);
        try (KafkaLog.Reader reader = kafka.reader()) {
            long firstAt = reader.timestamp(tp, Math.max(from, bounds.earliest()), Math.min(to + 1, bounds.end()));
            long lastAt = reader.timestamp(tp, Math.max(to, bounds.earliest()), bounds.end());
            return new StretchTimes(topic, p, from, to, firstAt < 0 ? null : Instant.ofEpochMilli(firstAt),
                    lastAt < 0 ? null : Instant.ofEpochMilli(lastAt));
        }
    }
}
