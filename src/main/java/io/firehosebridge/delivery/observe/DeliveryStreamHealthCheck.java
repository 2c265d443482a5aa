package io.firehosebridge.delivery.observe;

import io.firehosebridge.delivery.config.DeliveryConfig;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;

/** Ready only while the delivery stream is ACTIVE (DescribeDeliveryStream, cached briefly to stay under the control-plane quota). */
@Readiness
@ApplicationScoped
public class DeliveryStreamHealthCheck implements HealthCheck {

    private static final long CACHE_NANOS = Duration.ofSeconds(10).toNanos();

    @Inject
    FirehoseAsyncClient firehose;

    @Inject
    DeliveryConfig config;

    private volatile HealthCheckResponse cached;
    private volatile long cachedAt;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse last = cached;
        if (last != null && System.nanoTime() - cachedAt < CACHE_NANOS) {
            return last;
        }
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("firehose-delivery-stream")
                .withData("deliveryStream", config.deliveryStream());
        try {
            DeliveryStreamDescription d = firehose.describeDeliveryStream(b -> b.deliveryStreamName(config.deliveryStream()))
                    .get(5, TimeUnit.SECONDS).deliveryStreamDescription();
            builder.withData("status", d.deliveryStreamStatusAsString()).status("ACTIVE".equals(d.deliveryStreamStatusAsString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().withData("error", "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            builder.down().withData("error", String.valueOf(cause.getMessage()));
        }
        HealthCheckResponse response = builder.build();
        cached = response;
        cachedAt = System.nanoTime();
        return response;
    }
}
