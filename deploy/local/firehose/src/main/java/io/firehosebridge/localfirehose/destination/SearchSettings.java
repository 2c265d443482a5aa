package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;
import io.firehosebridge.localfirehose.api.Json;
import io.firehosebridge.localfirehose.api.Violations;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An ElasticsearchDestinationConfiguration or AmazonopensearchserviceDestinationConfiguration with the API
 * defaults filled in.
 *
 * @param openSearchService true for the Amazon OpenSearch Service shape, false for the Elasticsearch one
 */
public record SearchSettings(
        boolean openSearchService,
        String roleArn,
        String domainArn,
        String clusterEndpoint,
        String indexName,
        String typeName,
        IndexRotation rotation,
        int sizeInMBs,
        int intervalInSeconds,
        int retryDurationSeconds,
        String s3BackupMode,
        S3Settings s3,
        String documentIdFormat) {

    private static final Pattern DOMAIN_ARN = Pattern.compile("arn:.*:es:[a-zA-Z0-9\\-]+:\\d{12}:domain/[a-z][-0-9a-z]{2,27}");

    public boolean allDocuments() {
        return "AllDocuments".equals(s3BackupMode);
    }

    public boolean firehoseDocumentIds() {
        return !"NO_DOCUMENT_ID".equals(documentIdFormat);
    }

    /** The member name of this shape in CreateDeliveryStreamInput and DestinationDescription. */
    public String shapeName() {
        return openSearchService ? "AmazonopensearchserviceDestination" : "ElasticsearchDestination";
    }

    /** Reads a search destination configuration, collecting breaches of the model in {@code v}; throws if there are any. */
    public static SearchSettings parse(JsonNode node, boolean openSearchService, Violations v) {
        String path = openSearchService ? "amazonopensearchserviceDestinationConfiguration" : "elasticsearchDestinationConfiguration";
        String role = Json.text(node, "RoleARN");
        String domainArn = Json.text(node, "DomainARN");
        String endpoint = Json.text(node, "ClusterEndpoint");
        String index = Json.text(node, "IndexName");
        String type = Json.text(node, "TypeName");
        v.required(path + ".roleARN", role);
        v.required(path + ".indexName", index);
        v.length(path + ".indexName", index, 1, 80);
        v.length(path + ".typeName", type, 0, 100);
        v.length(path + ".domainARN", domainArn, 1, 512);
        v.pattern(path + ".domainARN", domainArn, DOMAIN_ARN);
        v.length(path + ".clusterEndpoint", endpoint, 1, 512);
        String rotationText = Json.text(node, "IndexRotationPeriod");
        v.oneOf(path + ".indexRotationPeriod", rotationText, List.of("NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth"));
        JsonNode hints = node.get("BufferingHints");
        Integer size = Json.integer(hints, "SizeInMBs");
        Integer interval = Json.integer(hints, "IntervalInSeconds");
        v.range(path + ".bufferingHints.sizeInMBs", size, 1, 100);
        v.range(path + ".bufferingHints.intervalInSeconds", interval, 0, 900);
        Integer retry = Json.integer(node.get("RetryOptions"), "DurationInSeconds");
        v.range(path + ".retryOptions.durationInSeconds", retry, 0, 7200);
        String backupMode = Json.text(node, "S3BackupMode");
        v.oneOf(path + ".s3BackupMode", backupMode, List.of("FailedDocumentsOnly", "AllDocuments"));
        String idFormat = Json.text(node.get("DocumentIdOptions"), "DefaultDocumentIdFormat");
        v.oneOf(path + ".documentIdOptions.defaultDocumentIdFormat", idFormat, List.of("FIREHOSE_DEFAULT", "NO_DOCUMENT_ID"));
        S3Settings s3 = S3Settings.parse(node.get("S3Configuration"), path + ".s3Configuration", v);
        v.throwIfAny();
        return new SearchSettings(openSearchService, role, domainArn, endpoint, index, type == null || type.isEmpty() ? null : type,
                IndexRotation.parse(rotationText), size == null ? 5 : size, interval == null ? 300 : interval,
                retry == null ? 300 : retry, backupMode == null ? "FailedDocumentsOnly" : backupMode, s3,
                idFormat == null ? "FIREHOSE_DEFAULT" : idFormat);
    }

    /** Firehose's own checks beyond the model constraints. */
    public void check() {
        if ((domainArn == null) == (clusterEndpoint == null)) {
            throw FirehoseException.invalidArgument("Exactly one of DomainARN or ClusterEndpoint must be specified.");
        }
        if (indexName.startsWith("_")) {
            throw FirehoseException.invalidArgument("Index name must not start with '_': " + indexName);
        }
        if (typeName != null && typeName.startsWith("_")) {
            throw FirehoseException.invalidArgument("Type name must not start with '_': " + typeName);
        }
        if (clusterEndpoint != null) {
            checkClusterEndpoint(clusterEndpoint);
        }
        s3.check();
    }

    // The model only allows https; plain http is accepted on loopback so tests can point at local servers.
    private static void checkClusterEndpoint(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw FirehoseException.invalidArgument("ClusterEndpoint is not a valid URL: " + endpoint);
        }
        boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost()) || "[::1]".equals(uri.getHost());
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw FirehoseException.invalidArgument("ClusterEndpoint must be https (plain http only on loopback): " + endpoint);
        }
    }
}
