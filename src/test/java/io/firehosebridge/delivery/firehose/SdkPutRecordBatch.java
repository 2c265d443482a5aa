package io.firehosebridge.delivery.firehose;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * The test oracle for {@link SignedPutRecordBatch}, the one PutRecordBatch path in production: the same call through the
 * AWS SDK's whole pipeline, records marshalled by the SDK itself (its serialisation, signing, HTTP, response and error
 * parsing). The tests hold the signed request to the same bytes and the same answers.
 */
final class SdkPutRecordBatch {

    private SdkPutRecordBatch() {
    }

    static PutRecordBatchCall call(FirehoseAsyncClient client) {
        return (deliveryStream, records) -> client.putRecordBatch(PutRecordBatchRequest.builder().deliveryStreamName(deliveryStream)
                .records(records.stream().map(r -> Record.builder().data(SdkBytes.fromByteArrayUnsafe(r.data())).build()).toList())
                .build());
    }
}
