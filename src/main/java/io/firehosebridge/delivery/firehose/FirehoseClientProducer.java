package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.config.DeliveryConfig;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import io.firehosebridge.aws.AwsClients;
import io.firehosebridge.aws.AwsConfig;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import io.vertx.core.Vertx;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.firehose.endpoints.FirehoseEndpointParams;
import software.amazon.awssdk.services.firehose.endpoints.FirehoseEndpointProvider;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClientBuilder;

/** The async Firehose client: SDK retries off (the delivery path retries only failed entries itself); PutRecordBatch bodies prebuilt. */
@ApplicationScoped
public class FirehoseClientProducer {

    @Produces
    @ApplicationScoped
    FirehoseAsyncClient firehose(DeliveryConfig delivery, AwsConfig aws, AwsCredentialsProvider credentials) {
        FirehoseAsyncClientBuilder builder = FirehoseAsyncClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(Math.max(16, delivery.maxInFlightCalls() * 2))
                        .tcpKeepAlive(true))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(delivery.callTimeout())
                        .addExecutionInterceptor(new PutRecordBatchBody.Interceptor()));
        Region region = AwsClients.region(aws);
        if (region != null) {
            builder.region(region);
        }
        delivery.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes FirehoseAsyncClient client) {
        client.close();
    }

    /**
     * How the sender puts record batches: by default one request signed with the SDK's signer and sent with the
     * service's Vert.x client ({@link SignedPutRecordBatch}); {@code bridge.delivery.sdk-call-pipeline=true} sends
     * through the SDK client instead. Both send the same bytes and report errors the same way.
     */
    @Produces
    @ApplicationScoped
    PutRecordBatchCall putRecordBatch(DeliveryConfig delivery, AwsConfig aws, AwsCredentialsProvider credentials,
            FirehoseAsyncClient firehose, Vertx vertx) {
        if (delivery.sdkCallPipeline()) {
            return PutRecordBatchCall.viaSdk(firehose);
        }
        Region region = AwsClients.region(aws);
        if (region == null) {
            region = DefaultAwsRegionProviderChain.builder().build().getRegion();
        }
        URI endpoint = delivery.endpoint().isPresent() ? delivery.endpoint().get()
                : URI.create(FirehoseEndpointProvider.defaultProvider()
                        .resolveEndpoint(FirehoseEndpointParams.builder().region(region).build()).join().url().toString());
        return new SignedPutRecordBatch(vertx, endpoint, credentials, region.id(), delivery.callTimeout(),
                Math.max(16, delivery.maxInFlightCalls() * 2));
    }

    void close(@Disposes PutRecordBatchCall call) {
        if (call instanceof SignedPutRecordBatch signed) {
            signed.close();
        }
    }
}
