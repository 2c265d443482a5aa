package io.firehosebridge.reconcile.api;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.jobs.JobRequest;
import io.firehosebridge.reconcile.jobs.JobView;
import io.firehosebridge.reconcile.jobs.ReconciliationJobs;
import io.firehosebridge.reconcile.ledger.DeliveryLedger;
import io.firehosebridge.reconcile.ledger.LedgerEntry;
import io.firehosebridge.reconcile.scan.PartitionReport;
import io.firehosebridge.reconcile.scan.Reconciler;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The reconciliation API: which offsets of a Kafka range reached the search index and the S3 backup,
 * asynchronous jobs for large ranges, re-drive of what is missing, and the delivery ledger.
 */
@Path("/reconciliations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Reconciliation", description = "Prove, offset by offset, what reached the index and the S3 backup")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An access token from the identity provider (bridge.identity.mode=oidc: viewer reads, operator also starts jobs, "
                + "re-drives, repairs and cancels) or the shared token bridge.reconcile.api-token (mode token: operator)")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "400", description = "Invalid input", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "401", description = "Token required, or not valid", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "403", description = "The token's roles do not allow the call (reading needs viewer, changing needs operator)",
        content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "503", description = "Kafka, the search cluster or the S3 store is unreachable (named in the detail)",
        content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
public class ReconciliationResource {

    @Inject
    Reconciler reconciler;

    @Inject
    ReconciliationJobs jobs;

    @Inject
    DeliveryLedger ledger;

    @Inject
    ReconcileConfig config;

    /** A synchronous report: the partition report plus the id under which it can be re-driven. */
    @RegisterForReflection
    public record SyncReport(String id, PartitionReport report) {
    }

    /** Ledger spans of a query. */
    @RegisterForReflection
    public record LedgerPage(List<LedgerEntry> entries, boolean truncated) {
    }

    @GET
    @Path("/{topic}/{partition}")
    @Operation(summary = "Reconcile one partition range now",
            description = "from inclusive, to exclusive. For an S3-only stream (bridge.search.enabled=false) only S3 is checked: the "
                    + "report's 'checked' is [backup] and it has no 'search' side. Without from: where the bridge group started on the partition (bridge.ingest.start-position), or the earliest retained offset if later; without to: the bridge group's committed offset. "
                    + "At most bridge.reconcile.api.max-sync-offsets offsets; larger ranges: POST /reconciliations.")
    @APIResponse(responseCode = "200", description = "The report", content = @Content(schema = @Schema(implementation = SyncReport.class)))
    @APIResponse(responseCode = "404", description = "Unknown topic or partition", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "Range beyond the log, before the retained log, or too large", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public SyncReport reconcile(@PathParam("topic") String topic,
            @Parameter(description = "partition number") @PathParam("partition") String partition,
            @Parameter(description = "first offset (inclusive)") @QueryParam("from") String from,
            @Parameter(description = "end offset (exclusive)") @QueryParam("to") String to) {
        Reconciler.Range range = reconciler.resolve(topic, ApiText.parsePartition(partition), ApiText.parseLong("from", from),
                ApiText.parseLong("to", to), config.api().maxSyncOffsets(), "use POST /reconciliations for an asynchronous job");
        JobView job = jobs.runNow(range);
        return new SyncReport(job.id(), job.partitions().get(0));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start an asynchronous reconciliation", description = "For large or multi-partition ranges; answers 202 with Location.")
    @RequestBody(content = @Content(schema = @Schema(implementation = JobRequest.class)))
    @APIResponse(responseCode = "202", description = "Accepted; poll the Location", content = @Content(schema = @Schema(implementation = JobAnswer.class)))
    @APIResponse(responseCode = "404", description = "Unknown topic or partition", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "A range cannot be reconciled", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public Response start(String body) {
        JobView job = jobs.submit(JsonBody.read(body, JobRequest.class, JobRequest.SHAPE, JobRequest.FIELDS));
        return Response.accepted(JobAnswer.of(job)).location(URI.create("/reconciliations/" + job.id())).build();
    }

    @GET
    @Path("/ledger")
    @Operation(summary = "Delivery ledger spans with their verification status",
            description = "since: an ISO-8601 instant or epoch milliseconds; spans sent at or after it. At most 1000 spans.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = LedgerPage.class)))
    public LedgerPage ledger(@QueryParam("topic") String topic, @QueryParam("partition") String partition, @QueryParam("since") String since) {
        Integer p = null;
        if (topic != null && !topic.isEmpty()) {
            Reconciler.checkTopic(topic);
        } else {
            topic = null;
        }
        if (partition != null && !partition.isEmpty()) {
            if (topic == null) {
                throw ReconcileException.invalidRequest("'partition' needs 'topic'");
            }
            p = ApiText.parsePartition(partition);
        }
        Instant after = null;
        if (since != null && !since.isEmpty()) {
            try {
                after = since.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(since)) : Instant.parse(since);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw ReconcileException.invalidRequest("'since' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z or epoch milliseconds, not '"
                        + ReconcileException.clip(since) + "'");
            }
        }
        List<LedgerEntry> entries = ledger.list(topic, p, after, 1000);
        boolean truncated = entries.size() > 1000;
        return new LedgerPage(truncated ? entries.subList(0, 1000) : entries, truncated);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A reconciliation's state, progress (offsets and objects checked, ETA) and, when done, its report")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobAnswer.class)))
    @APIResponse(responseCode = "404", description = "Unknown id", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public JobAnswer job(@PathParam("id") String id) {
        return JobAnswer.of(jobs.get(id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a queued or running job, wherever it runs",
            description = "The request reaches the job's replica through the job topic; the answer shows cancelRequested and, when the owner "
                    + "stopped within a few seconds, CANCELLED.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobAnswer.class)))
    @APIResponse(responseCode = "404", description = "Unknown id", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public JobAnswer cancel(@PathParam("id") String id) {
        return JobAnswer.of(jobs.cancel(id));
    }

    @POST
    @Path("/{id}/redrive")
    @Operation(summary = "Re-drive the missing offsets of a finished reconciliation, as a job",
            description = "Plans the offsets at once (4xx when it cannot), then reads them back from Kafka and sends them through the normal "
                    + "delivery path, marked re-driven, within the pipeline's in-flight bound. For an S3-only stream, the offsets S3 misses. Answers 202 with the Location of the re-drive job; "
                    + "poll it for progress and counts. Needs the token when protection is on.")
    @APIResponse(responseCode = "202", description = "Accepted; poll the Location", content = @Content(schema = @Schema(implementation = JobAnswer.class)))
    @APIResponse(responseCode = "404", description = "Unknown id", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Not finished, or not a reconciliation", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "Too many missing offsets for one re-drive", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public Response redrive(@PathParam("id") String id) {
        JobView job = jobs.redrive(id);
        return Response.accepted(JobAnswer.of(job)).location(URI.create("/reconciliations/" + job.id())).build();
    }

    @POST
    @Path("/{id}/repair")
    @Operation(summary = "Delete the extra copies of every duplicated offset of a finished reconciliation's ranges, as a job",
            description = "Searches the ranges again for offsets with more than one document, keeps the copy with the smallest (index, id) and "
                    + "deletes the others from the search index by exact bulk deletes (index, id, sequence number), paced to "
                    + "bridge.reconcile.repair.max-deletes-per-second. Never the last copy, never the S3 backup, never a document without valid "
                    + "coordinates. With dryRun=true nothing is deleted and the report says what would be. Answers 202 with the Location of the "
                    + "repair job; its 'repair' field holds the counts and the offsets repaired. Needs the token when protection is on.")
    @APIResponse(responseCode = "202", description = "Accepted; poll the Location", content = @Content(schema = @Schema(implementation = JobAnswer.class)))
    @APIResponse(responseCode = "404", description = "Unknown id", content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "Not finished, not a reconciliation, or the stream has no search destination (bridge.search.enabled=false)",
            content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
    public Response repair(@PathParam("id") String id,
            @Parameter(description = "true: delete nothing, only report what would be deleted") @QueryParam("dryRun") String dryRun) {
        JobView job = jobs.repair(id, ApiText.parseBoolean("dryRun", dryRun));
        return Response.accepted(JobAnswer.of(job)).location(URI.create("/reconciliations/" + job.id())).build();
    }
}
