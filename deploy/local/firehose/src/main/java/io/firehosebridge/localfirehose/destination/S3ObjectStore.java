package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The local S3-compatible store every BucketARN maps to; buckets are created on first use. */
public final class S3ObjectStore implements AutoCloseable {

    private final S3Client client;
    private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();

    /** A client of the store at {@code config}'s endpoint, in {@code region}. */
    public S3ObjectStore(LocalFirehoseConfig.S3 config, String region) {
        this.client = S3Client.builder()
                .endpointOverride(URI.create(config.endpoint()))
                .region(Region.of(region))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Writes one object, creating its bucket first if this store has not seen it yet. */
    public void put(String bucket, String key, byte[] body) {
        ensureBucket(bucket);
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
    }

    private void ensureBucket(String bucket) {
        if (knownBuckets.contains(bucket)) {
            return;
        }
        try {
            client.createBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
        knownBuckets.add(bucket);
    }

    @Override
    public void close() {
        client.close();
    }
}
