package io.firehosebridge.testing;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.ElasticsearchDestinationDescription;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsResponse;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;

/**
 * Delivery streams made through the Firehose API of a local endpoint, for the tests, the benchmark and the fault suite.
 * The stack's endpoint (4573) lives longer than any test run, so a stream made there has a name of its run
 * ({@link LocalStackResource#RUN}), is deleted by the run at its end, and one that a killed run left behind is deleted
 * a day later by the next run ({@link #deleteRunStreamsOlderThan}).
 */
public final class LocalStreams {

    private static final Logger LOG = Logger.getLogger(LocalStreams.class);
    private static final String ROLE = "arn:aws:iam::000000000000:role/firehose";
    private static final Duration ACTIVE_WITHIN = Duration.ofSeconds(30);
    /** Names the tests give streams on the shared endpoint: a prefix, then {@link LocalStackResource#RUN} (its start in base 36). */
    private static final Pattern RUN_STREAM = Pattern.compile("(?:it-clicks|it-s3only|interest-service-click|devmode)-([0-9a-z]{6,12})-[0-9a-f]{6}");

    private LocalStreams() {
    }

    /** A client of the local endpoint on this port. */
    public static FirehoseClient client(int firehosePort) {
        return FirehoseClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + firehosePort)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * Creates a stream like the local {@code clicks} one (1 s / 5 MB buffer, all documents backed up) into the given
     * index and bucket, with the given search retry duration, and waits until it is ACTIVE.
     */
    public static void createAndAwaitActive(int firehosePort, String name, String index, String bucket, int retrySeconds)
            throws InterruptedException {
        createAndAwaitActive(firehosePort, name, index, null, bucket, retrySeconds);
    }

    /**
     * The same with a TypeName (null for none), as Elasticsearch 6.x destinations have. Idempotent: a stream of that name
     * that exists already with this configuration is waited for and used (a run that retries, or two test classes of one
     * run); one that is being deleted is waited out and made again; one configured otherwise fails the call, naming
     * the difference, since it is someone else's.
     */
    public static void createAndAwaitActive(int firehosePort, String name, String index, String typeName, String bucket, int retrySeconds)
            throws InterruptedException {
        try (FirehoseClient firehose = client(firehosePort)) {
            long deadline = System.nanoTime() + ACTIVE_WITHIN.toNanos();
            while (true) {
                try {
                    firehose.createDeliveryStream(b -> b.deliveryStreamName(name).deliveryStreamType("DirectPut")
                            .elasticsearchDestinationConfiguration(es -> es.roleARN(ROLE)
                                    .domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                                    .indexName(index).typeName(typeName).indexRotationPeriod("NoRotation")
                                    .bufferingHints(h -> h.intervalInSeconds(1).sizeInMBs(5))
                                    .retryOptions(r -> r.durationInSeconds(retrySeconds))
                                    .s3BackupMode("AllDocuments")
                                    .s3Configuration(s3 -> s3.roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket))));
                    break;
                } catch (ResourceInUseException e) {
                    DeliveryStreamDescription existing = describe(firehose, name);
                    if (existing == null || "DELETING".equals(existing.deliveryStreamStatusAsString())) {
                        awaitUntil(deadline, "delivery stream " + name + " deleted, to make it again");
                        continue;
                    }
                    String difference = difference(existing, index, typeName, bucket, retrySeconds);
                    if (difference != null) {
                        throw new IllegalStateException("delivery stream " + name + " exists on 127.0.0.1:" + firehosePort
                                + " with another configuration (" + difference + "); delete it or choose another name", e);
                    }
                    LOG.infof("Delivery stream %s exists already with this configuration; using it", name);
                    break;
                }
            }
            awaitActive(firehose, name, deadline);
        }
    }

    /**
     * Creates a stream whose only destination is S3 ({@code ExtendedS3}, 1 s / 1 MB buffer, GZIP) with this {@code Prefix}
     * and {@code ErrorOutputPrefix}, and waits until it is ACTIVE. A stream of that name that exists already is used as it is
     * (a retried run); one being deleted is waited out and made again.
     */
    public static void createS3OnlyAndAwaitActive(int firehosePort, String name, String bucket, String prefix, String errorOutputPrefix)
            throws InterruptedException {
        try (FirehoseClient firehose = client(firehosePort)) {
            long deadline = System.nanoTime() + ACTIVE_WITHIN.toNanos();
            while (true) {
                try {
                    firehose.createDeliveryStream(b -> b.deliveryStreamName(name).deliveryStreamType("DirectPut")
                            .extendedS3DestinationConfiguration(s3 -> s3.roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket)
                                    .prefix(prefix).errorOutputPrefix(errorOutputPrefix).compressionFormat("GZIP")
                                    .bufferingHints(h -> h.intervalInSeconds(1).sizeInMBs(1))));
                    break;
                } catch (ResourceInUseException e) {
                    DeliveryStreamDescription existing = describe(firehose, name);
                    if (existing == null || "DELETING".equals(existing.deliveryStreamStatusAsString())) {
                        awaitUntil(deadline, "delivery stream " + name + " deleted, to make it again");
                        continue;
                    }
                    LOG.infof("Delivery stream %s exists already; using it", name);
                    break;
                }
            }
            awaitActive(firehose, name, deadline);
        }
    }

    /**
     * Deletes the stream and waits until the endpoint no longer lists it (it delivers what it buffered first); a stream
     * that does not exist is fine. A stream still CREATING cannot be deleted yet, so that is retried.
     */
    public static void deleteAndAwaitGone(int firehosePort, String name) throws InterruptedException {
        try (FirehoseClient firehose = client(firehosePort)) {
            long deadline = System.nanoTime() + ACTIVE_WITHIN.toNanos();
            while (true) {
                try {
                    firehose.deleteDeliveryStream(b -> b.deliveryStreamName(name));
                    break;
                } catch (ResourceNotFoundException e) {
                    return;
                } catch (ResourceInUseException e) {
                    awaitUntil(deadline, "delivery stream " + name + " deletable (" + e.getMessage() + ")");
                }
            }
            while (describe(firehose, name) != null) {
                awaitUntil(deadline, "delivery stream " + name + " deleted");
            }
        }
    }

    /**
     * Asks the endpoint to delete the stream and does not wait: for a shutdown hook, where a test's class loader may be
     * closed already, so only the JDK's HTTP client is used (the local endpoint checks no signature). Any failure is
     * ignored; a stream left behind is deleted a day later by {@link #deleteRunStreamsOlderThan}.
     */
    public static void requestDelete(int firehosePort, String name) {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + firehosePort + "/"))
                    .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "Firehose_20150804.DeleteDeliveryStream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"DeliveryStreamName\":\"" + name + "\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // the endpoint is gone already, or the JVM is being torn down
        }
    }

    /**
     * Deletes the streams that test runs made on this endpoint (named after their run) and that are older than
     * {@code age}: what a run killed before its end left behind. Runs younger than that, another checkout's among them,
     * keep theirs. Failures are logged, never thrown.
     */
    public static void deleteRunStreamsOlderThan(int firehosePort, Duration age) {
        try (FirehoseClient firehose = client(firehosePort)) {
            Instant cutoff = Instant.now().minus(age);
            for (String name : listNames(firehose)) {
                Instant started = runStart(name);
                if (started != null && started.isBefore(cutoff)) {
                    try {
                        firehose.deleteDeliveryStream(b -> b.deliveryStreamName(name));
                        LOG.infof("Deleted delivery stream %s, left by a test run that started %s", name, started);
                    } catch (ResourceNotFoundException | ResourceInUseException e) {
                        // deleted meanwhile, or still CREATING: the next run sees it again
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not clean old test streams on 127.0.0.1:%d: %s", firehosePort, e.toString());
        }
    }

    /** When the run that named this stream started, or null for a name no test run gives. */
    static Instant runStart(String name) {
        Matcher m = RUN_STREAM.matcher(name);
        if (!m.matches()) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(m.group(1), 36));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static List<String> listNames(FirehoseClient firehose) {
        List<String> names = new ArrayList<>();
        String after = null;
        while (true) {
            String start = after;
            ListDeliveryStreamsResponse page = firehose.listDeliveryStreams(b -> b.limit(100).exclusiveStartDeliveryStreamName(start));
            names.addAll(page.deliveryStreamNames());
            if (!Boolean.TRUE.equals(page.hasMoreDeliveryStreams()) || page.deliveryStreamNames().isEmpty()) {
                return names;
            }
            after = page.deliveryStreamNames().get(page.deliveryStreamNames().size() - 1);
        }
    }

    /** The stream's description, or null if there is none. */
    private static void awaitActive(FirehoseClient firehose, String name, long deadline) throws InterruptedException {
        while (true) {
            DeliveryStreamDescription d = describe(firehose, name);
            if (d != null && "ACTIVE".equals(d.deliveryStreamStatusAsString())) {
                return;
            }
            awaitUntil(deadline, "delivery stream " + name + " ACTIVE (now " + (d == null ? "gone" : d.deliveryStreamStatusAsString()) + ")");
        }
    }

    private static DeliveryStreamDescription describe(FirehoseClient firehose, String name) {
        try {
            return firehose.describeDeliveryStream(b -> b.deliveryStreamName(name)).deliveryStreamDescription();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    /** What differs between an existing stream and the one asked for, or null if nothing does. */
    private static String difference(DeliveryStreamDescription existing, String index, String typeName, String bucket, int retrySeconds) {
        if (existing.destinations().isEmpty() || existing.destinations().get(0).elasticsearchDestinationDescription() == null) {
            return "not an Elasticsearch destination";
        }
        ElasticsearchDestinationDescription es = existing.destinations().get(0).elasticsearchDestinationDescription();
        List<String> differences = new ArrayList<>();
        compare(differences, "index", es.indexName(), index);
        compare(differences, "type", es.typeName(), typeName);
        compare(differences, "rotation", es.indexRotationPeriodAsString(), "NoRotation");
        compare(differences, "backup mode", es.s3BackupModeAsString(), "AllDocuments");
        compare(differences, "bucket", es.s3DestinationDescription() == null ? null : es.s3DestinationDescription().bucketARN(),
                "arn:aws:s3:::" + bucket);
        compare(differences, "retry seconds", es.retryOptions() == null ? null : es.retryOptions().durationInSeconds(), retrySeconds);
        compare(differences, "buffer seconds", es.bufferingHints() == null ? null : es.bufferingHints().intervalInSeconds(), 1);
        compare(differences, "buffer MB", es.bufferingHints() == null ? null : es.bufferingHints().sizeInMBs(), 5);
        return differences.isEmpty() ? null : String.join(", ", differences);
    }

    private static void compare(List<String> differences, String what, Object actual, Object wanted) {
        if (!Objects.equals(actual, wanted)) {
            differences.add(what + " " + actual + ", not " + wanted);
        }
    }

    private static void awaitUntil(long deadline, String what) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(what + ": not within " + ACTIVE_WITHIN.toSeconds() + " s");
        }
        Thread.sleep(200);
    }
}
