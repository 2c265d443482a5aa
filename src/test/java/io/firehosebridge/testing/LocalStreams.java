package io.firehosebridge.testing;

import java.net.URI;
import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;

/** Delivery streams made through the Firehose API of a local endpoint, for the benchmark and the fault suite. */
public final class LocalStreams {

    private static final String ROLE = "arn:aws:iam::000000000000:role/firehose";

    private LocalStreams() {
    }

    /** A client of the local endpoint on this port. */
    public static FirehoseClient client(int firehosePort) {
        return FirehoseClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + firehosePort)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
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

    /** The same with a TypeName (null for none), as Elasticsearch 6.x destinations have. */
    public static void createAndAwaitActive(int firehosePort, String name, String index, String typeName, String bucket, int retrySeconds)
            throws InterruptedException {
        try (FirehoseClient firehose = client(firehosePort)) {
            firehose.createDeliveryStream(b -> b.deliveryStreamName(name).deliveryStreamType("DirectPut")
                    .elasticsearchDestinationConfiguration(es -> es.roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                            .indexName(index).typeName(typeName).indexRotationPeriod("NoRotation")
                            .bufferingHints(h -> h.intervalInSeconds(1).sizeInMBs(5))
                            .retryOptions(r -> r.durationInSeconds(retrySeconds))
                            .s3BackupMode("AllDocuments")
                            .s3Configuration(s3 -> s3.roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket))));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!"ACTIVE".equals(firehose.describeDeliveryStream(b -> b.deliveryStreamName(name)).deliveryStreamDescription()
                    .deliveryStreamStatusAsString())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("delivery stream " + name + " not ACTIVE within 30 s");
                }
                Thread.sleep(200);
            }
        }
    }
}
