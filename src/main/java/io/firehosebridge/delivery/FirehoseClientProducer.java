package io.firehosebridge.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import io.firehosebridge.aws.AwsClients;
import io.firehosebridge.aws.AwsConfig;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClientBuilder;

/** The async Firehose client: SDK retries off (the delivery path retries only failed entries itself); PutRecordBatch bodies prebuilt. */
@ApplicationScoped
public class FirehoseClientProducer {

    @Produces
    @ApplicationScoped
    FirehoseAsyncClient firehose(DeliveryConfig delivery, AwsConfig aws) {
        FirehoseAsyncClientBuilder builder = FirehoseAsyncClient.builder()
                .credentialsProvider(AwsClients.credentials(aws))
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
}
