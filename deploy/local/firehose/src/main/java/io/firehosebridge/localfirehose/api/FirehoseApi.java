package io.firehosebridge.localfirehose.api;

import io.firehosebridge.localfirehose.LocalFirehose;
import io.firehosebridge.localfirehose.stream.DeliveryStream;
import io.firehosebridge.localfirehose.stream.DeliveryStream.Admission;
import io.firehosebridge.localfirehose.stream.StreamSpec;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Firehose operations over AWS JSON 1.1: reads a request body for an {@code X-Amz-Target} operation and
 * answers the body AWS would, or throws the {@link FirehoseException} AWS would answer.
 */
final class FirehoseApi {

    static final String TARGET_PREFIX = "Firehose_20150804.";
    static final int MAX_RECORD_BYTES = 1_024_000;
    static final int MAX_BATCH_RECORDS = 500;
    static final long MAX_CALL_BYTES = 4L * 1024 * 1024;

    /** An answer to one call: the JSON body, and how long to hold it back (injected latency). */
    record Reply(JsonNode body, Duration delay) {
    }

    private final LocalFirehose firehose;
    private final ObjectMapper mapper;

    FirehoseApi(LocalFirehose firehose, ObjectMapper mapper) {
        this.firehose = firehose;
        this.mapper = mapper;
    }

    Reply handle(String target, byte[] body) {
        if (target == null || !target.startsWith(TARGET_PREFIX)) {
            throw new FirehoseException("UnknownOperationException", 400, "Missing or unknown X-Amz-Target: " + target);
        }
        JsonNode request;
        try {
            request = body.length == 0 ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            throw new FirehoseException("SerializationException", 400, "The request body is not valid JSON");
        }
        if (request == null || !request.isObject()) {
            throw new FirehoseException("SerializationException", 400, "The request body must be a JSON object");
        }
        String op = target.substring(TARGET_PREFIX.length());
        return switch (op) {
            case "PutRecordBatch" -> putRecordBatch(request);
            case "PutRecord" -> putRecord(request);
            case "CreateDeliveryStream" -> now(createDeliveryStream(request));
            case "DescribeDeliveryStream" -> now(describeDeliveryStream(request));
            case "ListDeliveryStreams" -> now(listDeliveryStreams(request));
            case "DeleteDeliveryStream" -> now(deleteDeliveryStream(request));
            default -> throw new FirehoseException("UnknownOperationException", 400,
                    "Operation " + op + " is not supported by the local Firehose endpoint");
        };
    }

    private static Reply now(JsonNode body) {
        return new Reply(body, Duration.ZERO);
    }

    private JsonNode createDeliveryStream(JsonNode request) {
        StreamSpec spec = StreamSpec.parse(request);
        DeliveryStream stream = firehose.create(spec, false);
        return mapper.createObjectNode().put("DeliveryStreamARN", stream.arn());
    }

    private JsonNode deleteDeliveryStream(JsonNode request) {
        firehose.delete(streamName(request));
        return mapper.createObjectNode();
    }

    private JsonNode describeDeliveryStream(JsonNode request) {
        Violations v = new Violations();
        String name = Json.text(request, "DeliveryStreamName");
        StreamSpec.checkName(v, name);
        v.range("limit", Json.integer(request, "Limit"), 1, 10000);
        v.throwIfAny();
        DeliveryStream stream = firehose.find(name);
        ObjectNode out = mapper.createObjectNode();
        StreamDescription.write(stream, out.putObject("DeliveryStreamDescription"));
        return out;
    }

    private JsonNode listDeliveryStreams(JsonNode request) {
        Violations v = new Violations();
        Integer limit = Json.integer(request, "Limit");
        v.range("limit", limit, 1, 10000);
        String type = Json.text(request, "DeliveryStreamType");
        v.oneOf("deliveryStreamType", type, List.of("DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"));
        String start = Json.text(request, "ExclusiveStartDeliveryStreamName");
        v.length("exclusiveStartDeliveryStreamName", start, 1, 64);
        v.pattern("exclusiveStartDeliveryStreamName", start, StreamSpec.NAME);
        v.throwIfAny();
        int max = limit == null ? 10 : limit;
        ObjectNode out = mapper.createObjectNode();
        ArrayNode names = out.putArray("DeliveryStreamNames");
        boolean more = false;
        for (DeliveryStream s : firehose.list()) {
            if ((type != null && !type.equals(s.spec().type())) || (start != null && s.name().compareTo(start) <= 0)) {
                continue;
            }
            if (names.size() == max) {
                more = true;
                break;
            }
            names.add(s.name());
        }
        out.put("HasMoreDeliveryStreams", more);
        return out;
    }

    private Reply putRecord(JsonNode request) {
        Violations v = new Violations();
        String name = Json.text(request, "DeliveryStreamName");
        StreamSpec.checkName(v, name);
        JsonNode record = request.get("Record");
        v.required("record", record);
        byte[] data = null;
        if (record != null) {
            data = decode(record.get("Data"), "record.data", v);
        }
        v.throwIfAny();
        DeliveryStream stream = firehose.findActive(name);
        Duration delay = stream.faults().addedLatency();
        stream.admitCall();
        if (stream.admitRecord(data.length, false) != Admission.ACCEPTED) {
            throw FirehoseException.slowDown();
        }
        String id = stream.accept(data, firehose.clock().instant());
        return new Reply(mapper.createObjectNode().put("RecordId", id).put("Encrypted", false), delay);
    }

    private Reply putRecordBatch(JsonNode request) {
        Violations v = new Violations();
        String name = Json.text(request, "DeliveryStreamName");
        StreamSpec.checkName(v, name);
        JsonNode records = request.get("Records");
        v.required("records", records);
        byte[][] data = new byte[records == null ? 0 : records.size()][];
        if (records != null) {
            v.listSize("records", records.size(), 1, MAX_BATCH_RECORDS);
            for (int i = 0; i < records.size(); i++) {
                // AWS numbers list members from 1 in validation messages.
                data[i] = decode(records.get(i).get("Data"), "records." + (i + 1) + ".member.data", v);
            }
        }
        v.throwIfAny();
        long total = 0;
        for (byte[] d : data) {
            total += d.length;
        }
        if (total > MAX_CALL_BYTES) {
            throw FirehoseException.invalidArgument("Records size exceeds 4 MB limit");
        }
        DeliveryStream stream = firehose.findActive(name);
        Duration delay = stream.faults().addedLatency();
        stream.admitCall();
        Instant arrival = firehose.clock().instant();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode responses = mapper.createArrayNode();
        int failed = 0;
        for (byte[] d : data) {
            ObjectNode entry = responses.addObject();
            switch (stream.admitRecord(d.length, true)) {
                case ACCEPTED -> entry.put("RecordId", stream.accept(d, arrival));
                case THROTTLED -> {
                    failed++;
                    entry.put("ErrorCode", "ServiceUnavailableException").put("ErrorMessage", "Slow down.");
                }
                case FAILED -> {
                    failed++;
                    entry.put("ErrorCode", "InternalFailure").put("ErrorMessage", "Internal service failure.");
                }
            }
        }
        out.put("FailedPutCount", failed);
        out.put("Encrypted", false);
        out.set("RequestResponses", responses);
        return new Reply(out, delay);
    }

    private String streamName(JsonNode request) {
        Violations v = new Violations();
        String name = Json.text(request, "DeliveryStreamName");
        StreamSpec.checkName(v, name);
        v.throwIfAny();
        return name;
    }

    private static byte[] decode(JsonNode data, String path, Violations v) {
        if (data == null || data.isNull()) {
            v.required(path, null);
            return new byte[0];
        }
        byte[] bytes;
        try {
            bytes = data.binaryValue();
        } catch (IOException | IllegalArgumentException e) {
            throw new FirehoseException("SerializationException", 400, "Data at " + path + " is not valid base64");
        }
        if (bytes == null) {
            throw new FirehoseException("SerializationException", 400, "Data at " + path + " is not valid base64");
        }
        v.blobSize(path, bytes.length, MAX_RECORD_BYTES);
        return bytes;
    }
}
