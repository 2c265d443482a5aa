package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;

import java.util.List;
import java.util.concurrent.CompletionStage;

import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;

/**
 * One {@code PutRecordBatch} call with a prebuilt body ({@link PutRecordBatchBody}): completes with Firehose's per-entry
 * answer, or fails the way the SDK does ({@code FirehoseException} with the error code for an error answer,
 * {@code SdkClientException} when no answer came). In production {@link SignedPutRecordBatch}; the tests also send
 * through the SDK's own pipeline, the oracle it is held to, and script answers with it.
 */
@FunctionalInterface
public interface PutRecordBatchCall {

    /** Puts {@code records} (each as its {@link PendingRecord#data()}, in order) to {@code deliveryStream}. */
    CompletionStage<PutRecordBatchResponse> send(String deliveryStream, List<PendingRecord> records);
}
