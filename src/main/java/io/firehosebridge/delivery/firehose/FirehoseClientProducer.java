package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.config.DeliveryConfig;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.firehosebridge.aws.AwsClients;
import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.AwsConfig;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import io.vertx.core.Vertx;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.firehose.endpoints.FirehoseEndpointParams;
import software.amazon.awssdk.services.firehose.endpoints.FirehoseEndpointProvider;

/** The Firehose client's settings (the client is made by {@link AwsClients}), and the one PutRecordBatch path: {@link SignedPutRecordBatch}. */
@ApplicationScoped
public class FirehoseClientProducer {

    /** What {@link AwsClients} needs from the delivery settings to build the Firehose client. */
    @Produces
    @Singleton
    AwsClients.FirehoseSettings firehoseSettings(DeliveryConfig delivery) {
        return new AwsClients.FirehoseSettings(delivery.endpoint(), delivery.callTimeout());
    }

    /**
     * How the sender puts record batches: one request signed with the SDK's signer and sent with the service's Vert.x client
     * ({@link SignedPutRecordBatch}), the faster of the two ways measured; the SDK's own call pipeline is kept in the tests
     * as the oracle for the same bytes and the same answers.
     */
    @Produces
    @ApplicationScoped
    PutRecordBatchCall putRecordBatch(DeliveryConfig delivery, AwsConfig aws, AwsCredentialsProvider credentials, Vertx vertx,
            AwsClock clock) {
        Region region = AwsClients.region(aws);
        if (region == null) {
            region = DefaultAwsRegionProviderChain.builder().build().getRegion();
        }
        URI endpoint = delivery.endpoint().isPresent() ? delivery.endpoint().get()
                : URI.create(FirehoseEndpointProvider.defaultProvider()
                        .resolveEndpoint(FirehoseEndpointParams.builder().region(region).build()).join().url().toString());
        return new SignedPutRecordBatch(vertx, endpoint, credentials, region.id(), delivery.callTimeout(),
                Math.max(16, delivery.maxInFlightCalls() * 2), clock);
    }

    void close(@Disposes PutRecordBatchCall call) {
        if (call instanceof SignedPutRecordBatch signed) {
            signed.close();
        }
    }
}
