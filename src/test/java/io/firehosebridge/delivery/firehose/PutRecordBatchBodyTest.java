package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.Settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.ingest.RecordEnricher;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.Record;

/** The prebuilt PutRecordBatch body against the SDK's own marshaller: the same bytes on the wire, base64 included. */
class PutRecordBatchBodyTest {

    private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("test-key", "test-secret");

    /** Captures what the SDK would send, and answers like Firehose: every record accepted. */
    static final class CapturingHttpClient implements SdkAsyncHttpClient {
        SdkHttpRequest request;
        byte[] body;

        @Override
        public CompletableFuture<Void> execute(AsyncExecuteRequest call) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            call.requestContentPublisher().subscribe(new Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(ByteBuffer b) {
                    byte[] chunk = new byte[b.remaining()];
                    b.get(chunk);
                    sent.writeBytes(chunk);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    request = call.request();
                    body = sent.toByteArray();
                    call.responseHandler().onHeaders(SdkHttpFullResponse.builder().statusCode(200)
                            .putHeader("Content-Type", "application/x-amz-json-1.1").build());
                    call.responseHandler().onStream(AsyncRequestBody.fromString("{\"FailedPutCount\":0,\"RequestResponses\":[]}"));
                    done.complete(null);
                }
            });
            return done;
        }

        @Override
        public void close() {
        }
    }

    private static FirehoseAsyncClient client(CapturingHttpClient http) {
        return FirehoseAsyncClient.builder().httpClient(http).region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:4573"))
                .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS))
                .build();
    }

    private static List<PendingRecord> records(int count, long seed) {
        Random random = new Random(seed);
        List<PendingRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Every remainder of length % 3 (padding), empty data, and bytes across the whole range.
            byte[] data = new byte[i < 6 ? i : random.nextInt(2048)];
            random.nextBytes(data);
            records.add(new PendingRecord(new KafkaCoordinates("clicks", 0, i, 0), null, data, null, null, Settlement.NONE));
        }
        return records;
    }

    private static PutRecordBatchRequest sdkRequest(String stream, List<PendingRecord> records) {
        return PutRecordBatchRequest.builder().deliveryStreamName(stream)
                .records(records.stream().map(r -> Record.builder().data(SdkBytes.fromByteArray(r.data())).build()).toList()).build();
    }

    @Test
    void writesExactlyWhatTheSdkMarshallerWrites() {
        List<PendingRecord> records = records(500, 7);
        CapturingHttpClient sdk = new CapturingHttpClient();
        try (FirehoseAsyncClient client = client(sdk)) {
            client.putRecordBatch(sdkRequest("clicks-stream_1.a", records)).join();
        }
        byte[] prebuilt = PutRecordBatchBody.write("clicks-stream_1.a", records);
        assertThat(new String(prebuilt, StandardCharsets.US_ASCII)).isEqualTo(new String(sdk.body, StandardCharsets.US_ASCII));
    }

    @Test
    void encodesEnrichedRecordsAsTheirBytes() {
        RecordEnricher enricher = new RecordEnricher("kafka", 20, 1_024_000);
        KafkaCoordinates at = new KafkaCoordinates("clicks", 3, 42, 1_700_000_000_000L);
        List<PendingRecord> records = new ArrayList<>();
        for (String v : List.of("{}", "{\"a\":1}", "{\"ab\":1}", "{\"abc\":1}", " { } ", "{\"a\":\"" + "é".repeat(300) + "\"}",
                "{\"a\":1}" + " ".repeat(200))) {
            byte[] value = v.getBytes(StandardCharsets.UTF_8);
            byte[] shifted = new byte[value.length + 5];
            System.arraycopy(value, 0, shifted, 5, value.length);
            for (boolean redriven : new boolean[] { false, true }) {
                // A value that starts its array (its head is encoded in place) and one that does not.
                records.add(new PendingRecord(at, null, enricher.enrich(value, at, redriven).record(), null, null, Settlement.NONE));
                records.add(new PendingRecord(at, null, enricher.enrich(shifted, 5, value.length, at, redriven).record(), null, null,
                        Settlement.NONE));
            }
        }
        StringBuilder expected = new StringBuilder("{\"DeliveryStreamName\":\"clicks\",\"Records\":[");
        for (int i = 0; i < records.size(); i++) {
            expected.append(i > 0 ? "," : "").append("{\"Data\":\"")
                    .append(java.util.Base64.getEncoder().encodeToString(records.get(i).data())).append("\"}");
        }
        expected.append("]}");
        assertThat(new String(PutRecordBatchBody.write("clicks", records), StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    /** SigV4 of the request as sent (same headers, same time) over the given body; also used by SignedPutRecordBatchTest. */
    static String signature(SdkHttpRequest sent, byte[] body) {
        Instant at = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").withZone(ZoneOffset.UTC)
                .parse(sent.firstMatchingHeader("X-Amz-Date").orElseThrow(), Instant::from);
        SdkHttpRequest unsigned = sent.toBuilder().removeHeader("Authorization").removeHeader("X-Amz-Date").build();
        return AwsV4HttpSigner.create().sign(r -> r.identity(CREDENTIALS).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "firehose")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
                .request().firstMatchingHeader("Authorization").orElseThrow();
    }

    @Test
    void refusesANameFirehoseWouldNotAccept() {
        assertThatThrownBy(() -> PutRecordBatchBody.write("bad\"name", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
