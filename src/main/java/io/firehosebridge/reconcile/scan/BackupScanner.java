package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.firehosebridge.ingest.RecordsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds a partition range's records in the S3 backup (or, for an S3-only stream, its S3 destination): lists the
 * arrival-hour prefixes that can hold them, keeping the keys the stream's prefix expressions allow, and for each object
 * uses its summary (partitions and offset runs) if it was read before, or streams it once and keeps its summary. Repeated and incremental reconciliation reads only new objects.
 */
@ApplicationScoped
public class BackupScanner {

    private static final Logger LOG = Logger.getLogger(BackupScanner.class);

    @Inject
    ReconcileConfig config;

    /** Made by {@link io.firehosebridge.aws.AwsClients} on first use. */
    @Inject
    S3Client s3;

    @Inject
    RecordsConfig records;

    @Inject
    Routes routes;

    /** Object summaries by bucket and key. */
    private Map<String, ObjectSummary> summaries;
    /** Each stream's prefix layouts, by route name. */
    private final Map<String, List<BackupLayout>> layouts = new HashMap<>();
    private BackupLineParser parser;

    /** What the scan read. */
    public record Result(List<String> prefixes, int objects, int objectsRead, int objectsFromCache, long lines) {
    }

    /**
     * Adds the range's backup copies to {@code tally} and its failed-document lines to {@code failed}.
     *
     * @param earliest earliest arrival time any record of the range can have
     * @param latest latest arrival time any record of the range can have
     * @param objectChecked told after each object
     * @param cancelled checked between objects
     */
    public Result scan(String topic, int partition, OffsetTally tally, FailedInSearch failed, Instant earliest, Instant latest,
            IntConsumer objectChecked, BooleanSupplier cancelled) {
        // A topic routed by a field has several streams; each object is read once even where their prefixes overlap.
        Set<String> seen = new HashSet<>();
        Result total = new Result(List.of(), 0, 0, 0, 0);
        for (Route route : routes.routing(topic).streams()) {
            Result r = scan(route, topic, partition, tally, failed, earliest, latest, objectChecked, cancelled, seen);
            List<String> prefixes = new ArrayList<>(total.prefixes());
            prefixes.addAll(r.prefixes());
            total = new Result(prefixes, total.objects() + r.objects(), total.objectsRead() + r.objectsRead(),
                    total.objectsFromCache() + r.objectsFromCache(), total.lines() + r.lines());
        }
        return total;
    }

    private Result scan(Route route, String topic, int partition, OffsetTally tally, FailedInSearch failed, Instant earliest, Instant latest,
            IntConsumer objectChecked, BooleanSupplier cancelled, Set<String> seen) {
        String bucket = route.backupBucket();
        List<BackupHours.Listing> listings = BackupHours.listings(layouts(route), earliest, latest);
        List<String> prefixes = listings.stream().map(BackupHours.Listing::prefix).toList();
        // Listings of a prefix and of an error prefix can overlap (an error prefix starting with an expression is listed whole).
        TopicPartition tp = new TopicPartition(topic, partition);
        int objects = 0;
        int read = 0;
        int cached = 0;
        long lines = 0;
        try {
            for (BackupHours.Listing listing : listings) {
                for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listing.prefix())).contents()) {
                    if (cancelled.getAsBoolean()) {
                        return new Result(prefixes, objects, read, cached, lines);
                    }
                    if (!listing.keeps(object.key()) || !seen.add(bucket + "/" + object.key())) {
                        continue;
                    }
                    objects++;
                    ObjectSummary summary = cachedSummary(bucket, object);
                    if (summary == null) {
                        summary = read(bucket, object);
                        if (summary == null) {
                            continue; // deleted between listing and reading
                        }
                        read++;
                    } else {
                        cached++;
                    }
                    long[] runs = summary.runs().get(tp);
                    if (runs != null) {
                        for (int i = 0; i < runs.length; i += 2) {
                            tally.addRange(runs[i], runs[i + 1]);
                        }
                    }
                    for (ObjectSummary.FailedRun f : summary.failed().getOrDefault(tp, List.of())) {
                        failed.add(f.first(), f.last(), f.errorCode(), f.errorMessage());
                    }
                    lines += summary.lines(tp);
                    objectChecked.accept(1);
                }
            }
        } catch (NoSuchBucketException e) {
            LOG.debugf("Backup bucket %s does not exist (yet): nothing is in the backup", bucket);
        } catch (SdkClientException e) {
            throw ReconcileException.unavailable("S3 backup store", "The S3 backup store cannot be reached (bucket " + bucket
                    + "; bridge.aws.s3-endpoint / region): " + firstLine(e.getMessage()));
        } catch (S3Exception e) {
            throw ReconcileException.unavailable("S3 backup store", "The S3 backup store refused to list or read bucket " + bucket
                    + " (HTTP " + e.statusCode() + ", " + (e.awsErrorDetails() == null ? "no code" : e.awsErrorDetails().errorCode())
                    + "); check the bucket name (" + setting(route, "backup-bucket") + ") and the credentials' permissions");
        }
        return new Result(prefixes, objects, read, cached, lines);
    }

    /**
     * Reads the prefixes once at startup, so that an expression Firehose would refuse stops the start naming the setting
     * instead of failing every reconciliation.
     */
    void validate(@Observes StartupEvent event) {
        routes.streams().forEach(this::layouts);
    }

    private synchronized List<BackupLayout> layouts(Route route) {
        List<BackupLayout> known = layouts.get(route.name());
        if (known == null) {
            String setting = setting(route, "backup-prefix");
            try {
                BackupLayout.parse(route.backupPrefix().orElse(null), false);
                setting = setting(route, "error-output-prefix");
                known = BackupHours.layouts(route.backupPrefix().orElse(null), route.errorOutputPrefix().orElse(null), config.failedFolders());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + " is not a prefix Firehose takes: " + e.getMessage(), e);
            }
            layouts.put(route.name(), known);
        }
        return known;
    }

    /** The setting holding a route's destination: bridge.reconcile's for the default route, the route's own otherwise. */
    private static String setting(Route route, String name) {
        return Route.DEFAULT.equals(route.name()) ? "bridge.reconcile." + name : "bridge.routing.routes." + route.name() + "." + name;
    }

    private ObjectSummary cachedSummary(String bucket, S3Object object) {
        synchronized (summaries()) {
            ObjectSummary s = summaries.get(bucket + "/" + object.key());
            return s != null && s.etag().equals(object.eTag()) ? s : null;
        }
    }

    private ObjectSummary read(String bucket, S3Object object) {
        ObjectSummary.Builder builder = new ObjectSummary.Builder();
        try {
            parser().parse(s3.getObject(b -> b.bucket(bucket).key(object.key())), builder);
        } catch (NoSuchKeyException e) {
            return null;
        } catch (IOException e) {
            throw ReconcileException.unavailable("S3 backup store", "Reading s3://" + bucket + "/" + object.key() + " failed: "
                    + firstLine(e.getMessage()));
        }
        ObjectSummary summary = builder.build(object.eTag());
        synchronized (summaries()) {
            summaries.put(bucket + "/" + object.key(), summary);
        }
        return summary;
    }

    /** Forgets every object summary, so the next scans read the objects again (for measurements). */
    public void forgetSummaries() {
        synchronized (summaries()) {
            summaries.clear();
        }
    }

    /** Objects whose summary is known. */
    public int cachedObjects() {
        synchronized (summaries()) {
            return summaries.size();
        }
    }

    private synchronized Map<String, ObjectSummary> summaries() {
        if (summaries == null) {
            int max = config.objectCacheSize();
            summaries = new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ObjectSummary> eldest) {
                    return size() > max;
                }
            };
        }
        return summaries;
    }

    private synchronized BackupLineParser parser() {
        if (parser == null) {
            parser = new BackupLineParser(records.metadataKey());
        }
        return parser;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no answer";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
