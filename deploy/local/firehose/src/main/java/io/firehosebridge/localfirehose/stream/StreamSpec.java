package io.firehosebridge.localfirehose.stream;

import io.firehosebridge.localfirehose.api.FirehoseException;
import io.firehosebridge.localfirehose.api.Json;
import io.firehosebridge.localfirehose.api.Violations;
import io.firehosebridge.localfirehose.destination.S3Settings;
import io.firehosebridge.localfirehose.destination.SearchSettings;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What CreateDeliveryStream asked for: a DirectPut stream with either a search destination (with its S3
 * backup) or a plain S3 destination.
 *
 * @param extendedS3 whether the S3 destination came as ExtendedS3DestinationConfiguration
 */
public record StreamSpec(String name, String type, SearchSettings search, S3Settings s3, boolean extendedS3) {

    /** What a delivery stream name must match. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    private static final List<String> UNSUPPORTED = List.of("RedshiftDestinationConfiguration", "SplunkDestinationConfiguration",
            "HttpEndpointDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
            "SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration");

    /** Validates a delivery stream name as every operation does. */
    public static void checkName(Violations v, String name) {
        v.required("deliveryStreamName", name);
        v.length("deliveryStreamName", name, 1, 64);
        v.pattern("deliveryStreamName", name, NAME);
    }

    /** Reads and validates a CreateDeliveryStream request body. */
    /** Destination features the endpoint does not do; a request switching one on is refused rather than half-served. */
    static final List<String> SWITCHED_ON_UNSUPPORTED = List.of("ProcessingConfiguration", "DynamicPartitioningConfiguration",
            "DataFormatConversionConfiguration");

    public static StreamSpec parse(JsonNode body) {
        Violations v = new Violations();
        String name = Json.text(body, "DeliveryStreamName");
        checkName(v, name);
        String type = Json.text(body, "DeliveryStreamType");
        v.oneOf("deliveryStreamType", type, List.of("DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"));
        v.throwIfAny();
        if (type != null && !type.equals("DirectPut")) {
            throw FirehoseException.invalidArgument("Only DirectPut delivery streams are supported by the local Firehose endpoint.");
        }
        for (String unsupported : UNSUPPORTED) {
            if (body.hasNonNull(unsupported)) {
                throw FirehoseException.invalidArgument(unsupported + " is not supported by the local Firehose endpoint.");
            }
        }
        JsonNode es = body.get("ElasticsearchDestinationConfiguration");
        JsonNode os = body.get("AmazonopensearchserviceDestinationConfiguration");
        JsonNode s3 = body.get("S3DestinationConfiguration");
        JsonNode ext = body.get("ExtendedS3DestinationConfiguration");
        int count = (es != null ? 1 : 0) + (os != null ? 1 : 0) + (s3 != null ? 1 : 0) + (ext != null ? 1 : 0);
        if (count != 1) {
            throw FirehoseException.invalidArgument("Exactly one destination configuration must be specified.");
        }
        JsonNode destination = es != null ? es : os != null ? os : s3 != null ? s3 : ext;
        for (String feature : SWITCHED_ON_UNSUPPORTED) {
            if (destination.path(feature).path("Enabled").asBoolean(false)) {
                // Accepting it would make a stream that then delivers otherwise than Firehose does: refused, by name.
                throw FirehoseException.invalidArgument(feature + " with Enabled true is not supported by the local Firehose endpoint.");
            }
        }
        if (es != null || os != null) {
            SearchSettings search = SearchSettings.parse(es != null ? es : os, os != null, v);
            search.check();
            return new StreamSpec(name, "DirectPut", search, null, false);
        }
        S3Settings settings = S3Settings.parse(ext != null ? ext : s3,
                ext != null ? "extendedS3DestinationConfiguration" : "s3DestinationConfiguration", v);
        v.throwIfAny();
        settings.check();
        return new StreamSpec(name, "DirectPut", null, settings, ext != null);
    }
}
