package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;
import io.firehosebridge.localfirehose.api.Json;
import io.firehosebridge.localfirehose.api.Violations;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An S3 destination or the S3 backup of a search destination (S3DestinationConfiguration and the common
 * part of ExtendedS3DestinationConfiguration), with the API defaults filled in.
 */
public record S3Settings(
        String roleArn,
        String bucketArn,
        String prefix,
        String errorOutputPrefix,
        int sizeInMBs,
        int intervalInSeconds,
        String compressionFormat) {

    static final List<String> COMPRESSIONS = List.of("UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY");
    private static final java.util.regex.Pattern BUCKET_ARN = java.util.regex.Pattern.compile("arn:.*:s3:::[\\w\\.\\-]{1,255}");

    /** The bucket name of {@code arn:aws:s3:::name}. */
    public String bucket() {
        return bucketArn.substring(bucketArn.indexOf(":::") + 3);
    }

    /** ".gz" for GZIP objects, as Firehose names them. */
    public String extension() {
        return "GZIP".equals(compressionFormat) ? ".gz" : "";
    }

    /** Reads an S3 configuration at {@code path} of a request (null when absent), collecting breaches of the model in {@code v}. */
    public static S3Settings parse(JsonNode node, String path, Violations v) {
        if (node == null || node.isNull()) {
            v.required(path, null);
            return null;
        }
        String role = Json.text(node, "RoleARN");
        String bucketArn = Json.text(node, "BucketARN");
        v.required(path + ".roleARN", role);
        v.required(path + ".bucketARN", bucketArn);
        v.length(path + ".bucketARN", bucketArn, 1, 2048);
        v.pattern(path + ".bucketARN", bucketArn, BUCKET_ARN);
        String prefix = Json.text(node, "Prefix");
        String errorPrefix = Json.text(node, "ErrorOutputPrefix");
        v.length(path + ".prefix", prefix, 0, 1024);
        v.length(path + ".errorOutputPrefix", errorPrefix, 0, 1024);
        JsonNode hints = node.get("BufferingHints");
        Integer size = Json.integer(hints, "SizeInMBs");
        Integer interval = Json.integer(hints, "IntervalInSeconds");
        v.range(path + ".bufferingHints.sizeInMBs", size, 1, 128);
        v.range(path + ".bufferingHints.intervalInSeconds", interval, 0, 900);
        String compression = Json.text(node, "CompressionFormat");
        v.oneOf(path + ".compressionFormat", compression, COMPRESSIONS);
        return new S3Settings(role, bucketArn, prefix, errorPrefix, size == null ? 5 : size,
                interval == null ? 300 : interval, compression == null ? "UNCOMPRESSED" : compression);
    }

    /** Checks that need the whole configuration (after the model constraints passed). */
    public void check() {
        S3KeyLayout.validate(prefix, errorOutputPrefix);
        if (!"UNCOMPRESSED".equals(compressionFormat) && !"GZIP".equals(compressionFormat)) {
            throw FirehoseException.invalidArgument("CompressionFormat " + compressionFormat
                    + " is not supported by the local Firehose endpoint; use UNCOMPRESSED or GZIP.");
        }
    }
}
