package io.firehosebridge.localfirehose;

import io.firehosebridge.localfirehose.api.LocalFirehoseServer;
import io.firehosebridge.localfirehose.destination.IndexRotation;
import io.firehosebridge.localfirehose.destination.SearchBulkClient;

import static io.firehosebridge.localfirehose.FirehoseTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.inject.Inject;

import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.AmazonopensearchserviceDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.firehose.model.ElasticsearchDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ElasticsearchIndexRotationPeriod;
import software.amazon.awssdk.services.firehose.model.ElasticsearchS3BackupMode;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.S3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;
import software.amazon.awssdk.services.s3.S3Client;

/** The endpoint driven by the AWS SDK v2 Firehose client, delivering to the real OpenSearch and S3 store. */
@QuarkusTest
@TestProfile(LocalFirehoseTestProfile.class)
@WithTestResource(value = StackDestinations.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalFirehoseEndpointTest {

    @Inject
    LocalFirehoseServer server;

    @Inject
    LocalFirehose localFirehose;

    private FirehoseClient firehose;
    private FirehoseClient firehoseNoRetry;
    private S3Client s3;
    private RestClient search;

    @BeforeAll
    void clients() {
        s3 = s3();
        search = search();
    }

    @BeforeEach
    void firehoseClients() {
        if (firehose == null) {
            firehose = firehose(server.port(), true);
            firehoseNoRetry = firehose(server.port(), false);
        }
    }

    @AfterAll
    void close() throws Exception {
        firehose.close();
        firehoseNoRetry.close();
        s3.close();
        search.close();
    }

    private static Record record(String json) {
        return Record.builder().data(SdkBytes.fromUtf8String(json)).build();
    }

    /** The seed's stream: Elasticsearch destination, NoRotation, TypeName isc, S3 backup of all documents, 5 MB buffer. */
    private String createSeedStream(String index, String bucket, int intervalSeconds) {
        String stream = unique("seed");
        firehose.createDeliveryStream(b -> b.deliveryStreamName(stream).deliveryStreamType("DirectPut")
                .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                        .roleARN(ROLE)
                        .domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                        .indexName(index)
                        .typeName("isc")
                        .indexRotationPeriod(ElasticsearchIndexRotationPeriod.NO_ROTATION)
                        .bufferingHints(h -> h.sizeInMBs(5).intervalInSeconds(intervalSeconds))
                        .s3BackupMode(ElasticsearchS3BackupMode.ALL_DOCUMENTS)
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket).build())
                        .build()));
        awaitActive(firehose, stream);
        return stream;
    }

    @Test
    void seedSetupDeliversBatchAndSingleRecordToSearchAndS3AfterTheBufferInterval() throws Exception {
        String index = unique("interest_service_click2");
        String bucket = unique("seed-backup");
        String stream = createSeedStream(index, bucket, 4);

        long start = System.nanoTime();
        PutRecordBatchResponse batch = firehose.putRecordBatch(b -> b.deliveryStreamName(stream)
                .records(SEED_BATCH.stream().map(LocalFirehoseEndpointTest::record).toList()));
        String recordId = firehose.putRecord(b -> b.deliveryStreamName(stream).record(record(SEED_PUT))).recordId();

        assertThat(batch.failedPutCount()).isZero();
        assertThat(batch.requestResponses()).hasSize(3).allSatisfy(r -> assertThat(r.recordId()).isNotBlank());
        assertThat(recordId).isNotBlank();
        // Buffered, not delivered: nothing is searchable or in S3 for the first seconds of the 4 s interval.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(count(search, index)).isZero();
            assertThat(keys(s3, bucket, "")).isEmpty();
        });

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> count(search, index) == 4);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));

        await().atMost(Duration.ofSeconds(10)).until(() -> !keys(s3, bucket, "").isEmpty());
        List<String> keys = keys(s3, bucket, "");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0)).matches("\\d{4}/\\d{2}/\\d{2}/\\d{2}/" + stream
                + "-1-\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        // Records concatenated exactly as sent, no delimiter added.
        assertThat(object(s3, bucket, keys.get(0))).isEqualTo(String.join("", SEED_BATCH) + SEED_PUT);
    }

    /**
     * On the engine under test (FHB_SEARCH_ENGINE): a day-rotated index is created and filled, the TypeName is used where
     * the engine has types and left out where it has none, and a document the engine itself refuses (a mapping conflict)
     * ends up in S3 in the AWS envelope, naming the rotated index and the type.
     */
    @Test
    void rotatesTheIndexUsesTheTypeWhereTheEngineHasTypesAndEnvelopesWhatTheEngineRefuses() throws Exception {
        String stream = unique("engine");
        String index = unique("engine-rotated");
        String bucket = unique("engine-failed");
        firehose.createDeliveryStream(b -> b.deliveryStreamName(stream).deliveryStreamType("DirectPut")
                .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                        .roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                        .indexName(index).typeName("isc").indexRotationPeriod(ElasticsearchIndexRotationPeriod.ONE_DAY)
                        .bufferingHints(h -> h.intervalInSeconds(1)).retryOptions(r -> r.durationInSeconds(1))
                        .s3BackupMode(ElasticsearchS3BackupMode.FAILED_DOCUMENTS_ONLY)
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket).build())
                        .build()));
        awaitActive(firehose, stream);
        String rotated = IndexRotation.parse("OneDay").indexName(index, java.time.Instant.now());
        firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(record("{\"n\":1}"), record("{\"n\":2}"), record("{\"n\":3}")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> count(search, rotated) == 3);
        boolean mappingTypes = new SearchBulkClient(MAPPER).supportsTypes(StackDestinations.searchUrl());
        String engine = StackDestinations.ENGINE;
        JsonNode hit = json(search.performRequest(new org.elasticsearch.client.Request("GET", "/" + rotated + "/_search?size=1"))
                .getEntity().getContent()).path("hits").path("hits").get(0);
        if (mappingTypes) {
            assertThat(hit.path("_type").asText()).as("%s keeps the TypeName", engine).isEqualTo("isc");
        } else {
            assertThat(hit.path("_type").asText("_doc")).as("%s has no types", engine).isEqualTo("_doc");
        }

        // "n" is a number now: the engine refuses a text value, every retry, until RetryOptions' second has passed.
        firehose.putRecord(b -> b.deliveryStreamName(stream).record(record("{\"n\":\"not a number\"}")));
        // Listed is not yet readable on the S3 store: wait until the object can be read.
        String[] failed = new String[1];
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            List<String> keys = keys(s3, bucket, "elasticsearch-failed/");
            failed[0] = keys.isEmpty() ? null : object(s3, bucket, keys.get(0));
            return failed[0] != null && !failed[0].isBlank();
        });
        JsonNode envelope = MAPPER.readTree(failed[0].split("\n")[0]);
        assertThat(envelope.get("errorCode").asText()).as("%s", envelope).isEqualTo("400");
        assertThat(envelope.get("errorMessage").asText()).contains("mapper_parsing_exception");
        assertThat(envelope.get("esIndexName").asText()).isEqualTo(rotated);
        assertThat(envelope.get("esTypeName").asText()).isEqualTo("isc");
        assertThat(new String(Base64.getDecoder().decode(envelope.get("rawData").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":\"not a number\"}");
        assertThat(count(search, rotated)).isEqualTo(3);
    }

    /** An OpenSearch Service stream whose cluster endpoint is a closed port: every delivery fails until its retry time ends. */
    private void createStreamToClosedCluster(String stream, String bucket, int sizeInMBs, int retrySeconds) {
        firehose.createDeliveryStream(b -> b.deliveryStreamName(stream)
                .amazonopensearchserviceDestinationConfiguration(AmazonopensearchserviceDestinationConfiguration.builder()
                        .roleARN(ROLE)
                        .clusterEndpoint("http://127.0.0.1:" + unchecked(FirehoseTestSupport::closedPort))
                        .indexName("clicks")
                        .bufferingHints(h -> h.sizeInMBs(sizeInMBs).intervalInSeconds(0))
                        .retryOptions(r -> r.durationInSeconds(retrySeconds))
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket)
                                .prefix("backup/").build())
                        .build()));
        awaitActive(firehose, stream);
    }

    @Test
    void searchOutageSendsDocumentsToTheFailedPrefixInAwsEnvelopeAfterRetryDuration() throws Exception {
        String stream = unique("outage");
        String bucket = unique("outage-backup");
        createStreamToClosedCluster(stream, bucket, 5, 2);
        firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(record(SEED_BATCH.get(0)), record(SEED_BATCH.get(1))));

        await().atMost(Duration.ofSeconds(20)).until(() -> !keys(s3, bucket, "").isEmpty());
        List<String> keys = keys(s3, bucket, "");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0)).matches("backup/AmazonOpenSearchService-failed/\\d{4}/\\d{2}/\\d{2}/\\d{2}/" + stream + "-1-.*");
        String[] lines = object(s3, bucket, keys.get(0)).split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = MAPPER.readTree(lines[0]);
        assertThat(first.fieldNames()).toIterable().containsExactly("attemptsMade", "arrivalTimestamp", "errorCode",
                "errorMessage", "attemptEndingTimestamp", "esDocumentId", "esIndexName", "esTypeName", "rawData");
        assertThat(first.get("attemptsMade").asInt()).isGreaterThan(1);
        assertThat(first.get("attemptEndingTimestamp").asLong() - first.get("arrivalTimestamp").asLong()).isGreaterThanOrEqualTo(2000);
        assertThat(first.get("errorCode").asText()).isEqualTo("OS.ConnectionFailed");
        assertThat(first.get("esIndexName").asText()).startsWith("clicks-"); // OneDay rotation is the API default
        assertThat(first.get("esDocumentId").asText()).isNotBlank();
        assertThat(new String(Base64.getDecoder().decode(first.get("rawData").asText()), StandardCharsets.UTF_8))
                .isEqualTo(SEED_BATCH.get(0));
    }

    @Test
    void eachLimitViolationGetsAwsErrorTypeThroughTheSdk() {
        String stream = createSeedStream(unique("limits"), unique("limits-backup"), 60);
        List<Record> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add(record("{}"));
        }
        FirehoseException tooManyError = catchThrowableOfType(FirehoseException.class,
                () -> firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(tooMany)));
        assertThat(tooManyError.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(tooManyError.statusCode()).isEqualTo(400);

        Record big = Record.builder().data(SdkBytes.fromByteArray(new byte[1_024_001])).build();
        FirehoseException bigError = catchThrowableOfType(FirehoseException.class,
                () -> firehose.putRecord(b -> b.deliveryStreamName(stream).record(big)));
        assertThat(bigError.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(bigError.awsErrorDetails().errorMessage()).contains("1024000");

        Record max = Record.builder().data(SdkBytes.fromByteArray(new byte[1_024_000])).build();
        assertThatThrownBy(() -> firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(max, max, max, max, max)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("4 MB");

        assertThatThrownBy(() -> firehose.putRecord(b -> b.deliveryStreamName(unique("missing")).record(record("{}"))))
                .isInstanceOf(ResourceNotFoundException.class);
        FirehoseException nameError = catchThrowableOfType(FirehoseException.class,
                () -> firehose.putRecord(b -> b.deliveryStreamName("no spaces").record(record("{}"))));
        assertThat(nameError.awsErrorDetails().errorCode()).isEqualTo("ValidationException");

        assertThatThrownBy(() -> firehose.createDeliveryStream(b -> b.deliveryStreamName(unique("doc-type"))
                .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                        .roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                        .indexName("interest_service_click2").typeName("_doc")
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::b").build())
                        .build())))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("_doc");
        FirehoseException hintsError = catchThrowableOfType(FirehoseException.class, () -> firehose.createDeliveryStream(b -> b
                .deliveryStreamName(unique("hints"))
                .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                        .roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local").indexName("i")
                        .bufferingHints(h -> h.sizeInMBs(101))
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::b").build())
                        .build())));
        assertThat(hintsError.awsErrorDetails().errorCode()).isEqualTo("ValidationException");

        assertThatThrownBy(() -> firehose.createDeliveryStream(b -> b.deliveryStreamName(stream)
                .s3DestinationConfiguration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::b").build())))
                .isInstanceOf(ResourceInUseException.class);
    }

    @Test
    void quotaOfNRecordsPerSecondThrottlesTheExcessPerRecord() {
        String stream = createSeedStream(unique("quota"), unique("quota-backup"), 60);
        localFirehose.setFaults(stream, localFirehose.faults(stream).withQuotas(10, 2000, 5));
        List<Record> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(record("{\"n\":" + i + "}"));
        }
        PutRecordBatchResponse response = firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(fifty));

        assertThat(response.failedPutCount()).isBetween(38, 40);
        assertThat(response.requestResponses()).hasSize(50);
        assertThat(response.requestResponses().subList(0, 10)).allSatisfy(r -> assertThat(r.recordId()).isNotBlank());
        assertThat(response.requestResponses().subList(12, 50)).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo("ServiceUnavailableException");
            assertThat(r.errorMessage()).isEqualTo("Slow down.");
            assertThat(r.recordId()).isNull();
        });
        // PutRecord has no per-record answer: the whole call is throttled.
        assertThatThrownBy(() -> firehoseNoRetry.putRecord(b -> b.deliveryStreamName(stream).record(record("{}"))))
                .isInstanceOf(ServiceUnavailableException.class);
    }

    /**
     * A destination that does not answer keeps one delivery retrying and the rest in the buffer; once the buffer holds
     * {@code max-buffered-bytes} (4 MiB in the test profile), further records are throttled instead of filling the heap.
     */
    @Test
    void aBufferThatCannotDrainThrottlesRecordsBeyondItsBound() {
        String stream = unique("bound");
        createStreamToClosedCluster(stream, unique("bound-backup"), 1, 30);
        localFirehose.setFaults(stream, localFirehose.faults(stream).withQuotas(500_000, 2000, 10_000)); // no quota binds here
        Record halfMegabyte = Record.builder().data(SdkBytes.fromByteArray(new byte[500_000])).build();
        int accepted = 0;
        int throttled = 0;
        for (int call = 0; call < 5; call++) {
            PutRecordBatchResponse response = firehose.putRecordBatch(b -> b.deliveryStreamName(stream)
                    .records(halfMegabyte, halfMegabyte, halfMegabyte, halfMegabyte));
            for (var entry : response.requestResponses()) {
                if (entry.errorCode() == null) {
                    accepted++;
                } else {
                    assertThat(entry.errorCode()).isEqualTo("ServiceUnavailableException");
                    assertThat(entry.errorMessage()).isEqualTo("Slow down.");
                    throttled++;
                }
            }
        }
        // The buffer admits records while it holds less than 4 MiB (nine of them); the one delivery that is retrying
        // took one or two out of it (at most its 1 MiB hint), depending on when it started.
        assertThat(accepted).isBetween(9, 11);
        assertThat(throttled).isEqualTo(20 - accepted);
        // Deleting cuts the retries short, so the stream does not keep retrying while the other tests run.
        firehose.deleteDeliveryStream(b -> b.deliveryStreamName(stream));
    }

    @Test
    void faultsAdminApiInjectsRecordFailuresAndWholeCallErrorsAtRuntime() throws Exception {
        String stream = createSeedStream(unique("faults"), unique("faults-backup"), 60);
        HttpClient http = HttpClient.newHttpClient();
        URI faults = URI.create("http://127.0.0.1:" + server.port() + "/_local/streams/" + stream + "/faults");

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(faults).PUT(HttpRequest.BodyPublishers.ofString(
                "{\"recordFailureRate\":1.0}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        PutRecordBatchResponse failed = firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(record("{}"), record("{}")));
        assertThat(failed.failedPutCount()).isEqualTo(2);
        assertThat(failed.requestResponses()).allSatisfy(r -> assertThat(r.errorCode()).isEqualTo("InternalFailure"));

        http.send(HttpRequest.newBuilder(faults).PUT(HttpRequest.BodyPublishers.ofString(
                "{\"recordFailureRate\":0,\"callErrorSeconds\":30,\"callErrorStatus\":500}")).build(), HttpResponse.BodyHandlers.ofString());
        ServiceUnavailableException down = catchThrowableOfType(ServiceUnavailableException.class,
                () -> firehoseNoRetry.putRecordBatch(b -> b.deliveryStreamName(stream).records(record("{}"))));
        assertThat(down.statusCode()).isEqualTo(500);

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(faults).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode state = MAPPER.readTree(get.body());
        assertThat(state.get("callErrorUntil").isNull()).isFalse();
        assertThat(state.get("recordFailureRate").asDouble()).isZero();

        http.send(HttpRequest.newBuilder(faults).PUT(HttpRequest.BodyPublishers.ofString("{\"callErrorUntil\":null}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(firehose.putRecordBatch(b -> b.deliveryStreamName(stream).records(record("{}"))).failedPutCount()).isZero();

        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/_local/streams/nope/faults")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void createdStreamIsCreatingThenActiveAndDescribedAsAwsShapesIt() {
        String bucket = unique("describe");
        String stream = unique("describe");
        firehose.createDeliveryStream(b -> b.deliveryStreamName(stream)
                .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                        .roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                        .indexName("interest_service_click2").typeName("isc")
                        .indexRotationPeriod(ElasticsearchIndexRotationPeriod.NO_ROTATION)
                        .s3BackupMode(ElasticsearchS3BackupMode.ALL_DOCUMENTS)
                        .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::" + bucket).build())
                        .build()));
        DeliveryStreamDescription creating = firehose.describeDeliveryStream(b -> b.deliveryStreamName(stream)).deliveryStreamDescription();
        assertThat(creating.deliveryStreamStatus()).isEqualTo(DeliveryStreamStatus.CREATING);
        assertThatThrownBy(() -> firehose.putRecord(b -> b.deliveryStreamName(stream).record(record("{}"))))
                .isInstanceOf(ResourceNotFoundException.class);

        awaitActive(firehose, stream);
        DeliveryStreamDescription d = firehose.describeDeliveryStream(b -> b.deliveryStreamName(stream)).deliveryStreamDescription();
        assertThat(d.deliveryStreamARN()).isEqualTo("arn:aws:firehose:us-east-1:000000000000:deliverystream/" + stream);
        assertThat(d.versionId()).isEqualTo("1");
        assertThat(d.deliveryStreamTypeAsString()).isEqualTo("DirectPut");
        assertThat(d.createTimestamp()).isNotNull();
        assertThat(d.hasMoreDestinations()).isFalse();
        var es = d.destinations().get(0).elasticsearchDestinationDescription();
        assertThat(d.destinations().get(0).destinationId()).isEqualTo("destinationId-000000000001");
        assertThat(es.indexName()).isEqualTo("interest_service_click2");
        assertThat(es.typeName()).isEqualTo("isc");
        assertThat(es.indexRotationPeriodAsString()).isEqualTo("NoRotation");
        assertThat(es.s3BackupModeAsString()).isEqualTo("AllDocuments");
        assertThat(es.bufferingHints().sizeInMBs()).isEqualTo(5);
        assertThat(es.bufferingHints().intervalInSeconds()).isEqualTo(300);
        assertThat(es.retryOptions().durationInSeconds()).isEqualTo(300);
        assertThat(es.s3DestinationDescription().bucketARN()).isEqualTo("arn:aws:s3:::" + bucket);
        assertThat(es.documentIdOptions().defaultDocumentIdFormatAsString()).isEqualTo("FIREHOSE_DEFAULT");

        firehose.deleteDeliveryStream(b -> b.deliveryStreamName(stream));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(
                () -> firehose.describeDeliveryStream(b -> b.deliveryStreamName(stream))).isInstanceOf(ResourceNotFoundException.class));
    }

    @Test
    void listPagesAlphabeticallyWithLimitAndExclusiveStart() {
        String prefix = unique("list").replace('-', '_');
        for (String suffix : List.of("c", "a", "b")) {
            firehose.createDeliveryStream(b -> b.deliveryStreamName(prefix + suffix)
                    .s3DestinationConfiguration(S3DestinationConfiguration.builder().roleARN(ROLE).bucketARN("arn:aws:s3:::x").build()));
        }
        var first = firehose.listDeliveryStreams(b -> b.limit(2).deliveryStreamType("DirectPut").exclusiveStartDeliveryStreamName(prefix));
        assertThat(first.deliveryStreamNames()).containsExactly(prefix + "a", prefix + "b");
        assertThat(first.hasMoreDeliveryStreams()).isTrue();
        var rest = firehose.listDeliveryStreams(b -> b.limit(10000).exclusiveStartDeliveryStreamName(prefix + "b"));
        assertThat(rest.deliveryStreamNames()).startsWith(prefix + "c");
        assertThat(firehose.listDeliveryStreams(b -> b.deliveryStreamType("KinesisStreamAsSource")).deliveryStreamNames()).isEmpty();
        assertThat(firehose.listDeliveryStreams(b -> b.limit(10000)).deliveryStreamNames()).contains("clicks");
    }

    private interface IoSupplier<T> {
        T get() throws Exception;
    }

    private static <T> T unchecked(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
