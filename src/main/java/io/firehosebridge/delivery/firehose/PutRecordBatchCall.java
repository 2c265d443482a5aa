package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;

import java.util.List;
import java.util.concurrent.CompletionStage;

import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;

/**
 * One {@code PutRecordBatch} call with a prebuilt body ({@link PutRecordBatchBody}): completes with Firehose's per-entry
 * answer, or fails the way the SDK does ({@code FirehoseException} with the error code for an error answer,
 * {@code SdkClientException} when no answer came), so the sender classifies both paths alike.
 */
@FunctionalInterface
public interface PutRecordBatchCall {

    /** Puts {@code records} (each as its {@link PendingRecord#data()}, in order) to {@code deliveryStream}. */
    CompletionStage<PutRecordBatchResponse> send(String deliveryStream, List<PendingRecord> records);

    /** Through the SDK client's whole call pipeline (its interceptors put the prebuilt body in before signing). */
    static PutRecordBatchCall viaSdk(FirehoseAsyncClient client) {
        return (deliveryStream, records) -> {
            byte[] body = PutRecordBatchBody.write(deliveryStream, records);
            return client.putRecordBatch(PutRecordBatchRequest.builder().deliveryStreamName(deliveryStream)
                    .overrideConfiguration(o -> o.putExecutionAttribute(PutRecordBatchBody.ATTRIBUTE, body)).build());
        };
    }
}
