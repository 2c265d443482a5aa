package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.destination.S3Settings;
import io.firehosebridge.localfirehose.destination.SearchSettings;
import io.firehosebridge.localfirehose.stream.DeliveryStream;
import io.firehosebridge.localfirehose.stream.StreamSpec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a DeliveryStreamDescription in the shape of the API model (timestamps as epoch seconds). */
final class StreamDescription {

    private StreamDescription() {
    }

    static void write(DeliveryStream stream, ObjectNode out) {
        out.put("DeliveryStreamName", stream.name());
        out.put("DeliveryStreamARN", stream.arn());
        out.put("DeliveryStreamStatus", stream.status());
        out.put("DeliveryStreamType", stream.spec().type());
        out.put("VersionId", stream.versionId());
        out.put("CreateTimestamp", stream.created().toEpochMilli() / 1000d);
        out.putObject("DeliveryStreamEncryptionConfiguration").put("Status", "DISABLED");
        ObjectNode destination = out.putArray("Destinations").addObject();
        destination.put("DestinationId", stream.destinationId());
        StreamSpec spec = stream.spec();
        if (spec.search() != null) {
            search(spec.search(), destination.putObject(spec.search().shapeName() + "Description"));
        } else if (spec.extendedS3()) {
            ObjectNode extended = destination.putObject("ExtendedS3DestinationDescription");
            s3(spec.s3(), extended);
            extended.put("S3BackupMode", "Disabled");
            s3(spec.s3(), destination.putObject("S3DestinationDescription"));
        } else {
            s3(spec.s3(), destination.putObject("S3DestinationDescription"));
        }
        out.put("HasMoreDestinations", false);
    }

    private static void search(SearchSettings s, ObjectNode out) {
        out.put("RoleARN", s.roleArn());
        if (s.domainArn() != null) {
            out.put("DomainARN", s.domainArn());
        }
        if (s.clusterEndpoint() != null) {
            out.put("ClusterEndpoint", s.clusterEndpoint());
        }
        out.put("IndexName", s.indexName());
        if (s.typeName() != null) {
            out.put("TypeName", s.typeName());
        }
        out.put("IndexRotationPeriod", s.rotation().name());
        out.putObject("BufferingHints").put("IntervalInSeconds", s.intervalInSeconds()).put("SizeInMBs", s.sizeInMBs());
        out.putObject("RetryOptions").put("DurationInSeconds", s.retryDurationSeconds());
        out.put("S3BackupMode", s.s3BackupMode());
        s3(s.s3(), out.putObject("S3DestinationDescription"));
        out.putObject("ProcessingConfiguration").put("Enabled", false).putArray("Processors");
        out.putObject("CloudWatchLoggingOptions").put("Enabled", false);
        out.putObject("DocumentIdOptions").put("DefaultDocumentIdFormat", s.documentIdFormat());
    }

    private static void s3(S3Settings s, ObjectNode out) {
        out.put("RoleARN", s.roleArn());
        out.put("BucketARN", s.bucketArn());
        if (s.prefix() != null) {
            out.put("Prefix", s.prefix());
        }
        if (s.errorOutputPrefix() != null) {
            out.put("ErrorOutputPrefix", s.errorOutputPrefix());
        }
        out.putObject("BufferingHints").put("SizeInMBs", s.sizeInMBs()).put("IntervalInSeconds", s.intervalInSeconds());
        out.put("CompressionFormat", s.compressionFormat());
        out.putObject("EncryptionConfiguration").put("NoEncryptionConfig", "NoEncryption");
        out.putObject("CloudWatchLoggingOptions").put("Enabled", false);
    }
}
