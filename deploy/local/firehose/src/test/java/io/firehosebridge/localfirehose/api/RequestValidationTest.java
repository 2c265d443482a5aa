package io.firehosebridge.localfirehose.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Every limit is checked before the stream is even looked up, so a FirehoseApi without streams suffices. */
class RequestValidationTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final FirehoseApi api = new FirehoseApi(null, mapper);

    private FirehoseException call(String op, ObjectNode body) throws Exception {
        return catchThrowableOfType(FirehoseException.class, () -> api.handle("Firehose_20150804." + op, mapper.writeValueAsBytes(body)));
    }

    private ObjectNode batch(int records, int bytesEach) {
        ObjectNode body = mapper.createObjectNode().put("DeliveryStreamName", "s");
        ArrayNode list = body.putArray("Records");
        String data = Base64.getEncoder().encodeToString(new byte[bytesEach]);
        for (int i = 0; i < records; i++) {
            list.addObject().put("Data", data);
        }
        return body;
    }

    @Test
    void rejectsBatchOver500Records() throws Exception {
        FirehoseException e = call("PutRecordBatch", batch(501, 1));
        assertThat(e.type()).isEqualTo("ValidationException");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("at 'records'").contains("less than or equal to 500");
    }

    @Test
    void rejectsEmptyBatch() throws Exception {
        assertThat(call("PutRecordBatch", batch(0, 1)).getMessage()).contains("greater than or equal to 1");
    }

    @Test
    void rejectsRecordOver1024000BytesNamingItsPosition() throws Exception {
        ObjectNode body = batch(2, 10);
        ((ObjectNode) body.get("Records").get(1)).put("Data", Base64.getEncoder().encodeToString(new byte[1_024_001]));
        FirehoseException e = call("PutRecordBatch", body);
        assertThat(e.type()).isEqualTo("ValidationException");
        assertThat(e.getMessage()).contains("'records.2.member.data'").contains("less than or equal to 1024000");
    }

    @Test
    void acceptsRecordOfExactly1024000BytesButRejectsCallOver4MiB() throws Exception {
        FirehoseException e = call("PutRecordBatch", batch(5, 1_024_000));
        assertThat(e.type()).isEqualTo("InvalidArgumentException");
        assertThat(e.getMessage()).isEqualTo("Records size exceeds 4 MB limit");
    }

    @Test
    void rejectsStreamNameWithIllegalCharactersOrTooLong() throws Exception {
        ObjectNode body = batch(1, 1).put("DeliveryStreamName", "bad name!");
        assertThat(call("PutRecordBatch", body).getMessage()).contains("regular expression pattern: [a-zA-Z0-9_.-]+");
        body.put("DeliveryStreamName", "x".repeat(65));
        assertThat(call("PutRecordBatch", body).getMessage()).contains("less than or equal to 64");
    }

    private ObjectNode createEs(String index, String type) {
        ObjectNode body = mapper.createObjectNode().put("DeliveryStreamName", "s").put("DeliveryStreamType", "DirectPut");
        ObjectNode es = body.putObject("ElasticsearchDestinationConfiguration")
                .put("RoleARN", "arn:aws:iam::000000000000:role/r")
                .put("DomainARN", "arn:aws:es:us-east-1:000000000000:domain/local")
                .put("IndexName", index);
        if (type != null) {
            es.put("TypeName", type);
        }
        es.putObject("S3Configuration").put("RoleARN", "arn:aws:iam::000000000000:role/r").put("BucketARN", "arn:aws:s3:::b");
        return body;
    }

    @Test
    void rejectsTypeNameStartingWithUnderscoreLikeTheSeedsDoc() throws Exception {
        FirehoseException e = call("CreateDeliveryStream", createEs("interest_service_click2", "_doc"));
        assertThat(e.type()).isEqualTo("InvalidArgumentException");
        assertThat(e.getMessage()).contains("_doc");
    }

    @Test
    void rejectsIndexNameStartingWithUnderscoreOrLongerThan80() throws Exception {
        assertThat(call("CreateDeliveryStream", createEs("_clicks", null)).type()).isEqualTo("InvalidArgumentException");
        FirehoseException e = call("CreateDeliveryStream", createEs("i".repeat(81), null));
        assertThat(e.type()).isEqualTo("ValidationException");
        assertThat(e.getMessage()).contains("indexName").contains("less than or equal to 80");
    }

    @Test
    void rejectsTypeNameLongerThan100() throws Exception {
        assertThat(call("CreateDeliveryStream", createEs("i", "t".repeat(101))).getMessage()).contains("typeName");
    }

    @Test
    void rejectsBufferingHintsAndRetryDurationOutOfRange() throws Exception {
        ObjectNode body = createEs("clicks", null);
        ObjectNode es = (ObjectNode) body.get("ElasticsearchDestinationConfiguration");
        es.putObject("BufferingHints").put("SizeInMBs", 101).put("IntervalInSeconds", 901);
        es.putObject("RetryOptions").put("DurationInSeconds", 7201);
        FirehoseException e = call("CreateDeliveryStream", body);
        assertThat(e.type()).isEqualTo("ValidationException");
        assertThat(e.getMessage()).startsWith("3 validation errors detected")
                .contains("sizeInMBs").contains("intervalInSeconds").contains("durationInSeconds");
    }

    @Test
    void rejectsBothOrNeitherOfDomainArnAndClusterEndpoint() throws Exception {
        ObjectNode body = createEs("clicks", null);
        ((ObjectNode) body.get("ElasticsearchDestinationConfiguration")).put("ClusterEndpoint", "https://search.example");
        assertThat(call("CreateDeliveryStream", body).type()).isEqualTo("InvalidArgumentException");
    }

    @Test
    void rejectsPlainHttpClusterEndpointOffLoopback() throws Exception {
        ObjectNode body = createEs("clicks", null);
        ObjectNode es = (ObjectNode) body.get("ElasticsearchDestinationConfiguration");
        es.remove("DomainARN");
        es.put("ClusterEndpoint", "http://search.example:9200");
        assertThat(call("CreateDeliveryStream", body).getMessage()).contains("loopback");
    }

    @Test
    void rejectsCompressionFormatsItCannotWrite() throws Exception {
        ObjectNode body = mapper.createObjectNode().put("DeliveryStreamName", "s");
        body.putObject("S3DestinationConfiguration").put("RoleARN", "arn:aws:iam::000000000000:role/r")
                .put("BucketARN", "arn:aws:s3:::b").put("CompressionFormat", "Snappy");
        assertThat(call("CreateDeliveryStream", body).getMessage()).contains("Snappy");
    }

    @Test
    void refusesDynamicPartitioningAndRecordProcessingItDoesNotDoNamingThem() throws Exception {
        for (String feature : List.of("DynamicPartitioningConfiguration", "ProcessingConfiguration", "DataFormatConversionConfiguration")) {
            ObjectNode body = mapper.createObjectNode().put("DeliveryStreamName", "s");
            ObjectNode ext = body.putObject("ExtendedS3DestinationConfiguration").put("RoleARN", "arn:aws:iam::000000000000:role/r")
                    .put("BucketARN", "arn:aws:s3:::b");
            ext.putObject(feature).put("Enabled", true);
            FirehoseException e = call("CreateDeliveryStream", body);
            assertThat(e.type()).isEqualTo("InvalidArgumentException");
            assertThat(e.getMessage()).isEqualTo(feature + " with Enabled true is not supported by the local Firehose endpoint.");
        }
    }

    @Test
    void rejectsListLimitOutOfRange() throws Exception {
        assertThat(call("ListDeliveryStreams", mapper.createObjectNode().put("Limit", 10001)).getMessage())
                .contains("less than or equal to 10000");
    }
}
