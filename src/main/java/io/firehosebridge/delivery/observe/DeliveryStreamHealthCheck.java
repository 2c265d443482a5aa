package io.firehosebridge.delivery.observe;

import io.firehosebridge.aws.AwsConfig;
import io.firehosebridge.aws.AwsRefusals;
import io.firehosebridge.delivery.config.DeliveryConfig;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;

/**
 * Ready only while the delivery stream is ACTIVE (DescribeDeliveryStream, cached briefly to stay under the control-plane
 * quota). When AWS refuses the service itself (a wrong or unknown key, an expired token, a clock more than 5 minutes off, a
 * web identity token file that cannot be read or that STS does not accept), the data says so under {@code refused}, and one
 * log line names the cause and the settings that say who the service is (another when the cause changes); one line again when
 * AWS accepts it. Meanwhile the
 * delivery holds its records and commits nothing ({@code FirehoseSender}).
 */
@Readiness
@ApplicationScoped
public class DeliveryStreamHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(DeliveryStreamHealthCheck.class);

    @Inject
    FirehoseAsyncClient firehose;

    @Inject
    DeliveryConfig config;

    @Inject
    AwsConfig aws;

    /** How long an answer is reused: probes ask every few seconds, the control plane has a low quota. */
    long cacheNanos = Duration.ofSeconds(10).toNanos();

    private volatile HealthCheckResponse cached;
    private volatile long cachedAt;
    /** The cause of the refusal last logged (its code or kind, without the details that change with every call), or null. */
    private volatile String refusedFor;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse last = cached;
        if (last != null && System.nanoTime() - cachedAt < cacheNanos) {
            return last;
        }
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("firehose-delivery-stream")
                .withData("deliveryStream", config.deliveryStream());
        try {
            DeliveryStreamDescription d = firehose.describeDeliveryStream(b -> b.deliveryStreamName(config.deliveryStream()))
                    .get(5, TimeUnit.SECONDS).deliveryStreamDescription();
            builder.withData("status", d.deliveryStreamStatusAsString()).status("ACTIVE".equals(d.deliveryStreamStatusAsString()));
            accepted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().withData("error", "interrupted");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            builder.down().withData("error", String.valueOf(cause.getMessage()));
            Optional<String> refusal = AwsRefusals.callerProblem(cause);
            if (refusal.isPresent()) {
                builder.withData("refused", refusal.get());
                refused(refusal.get());
            } else if (cause instanceof AwsServiceException) {
                accepted(); // an answer about the stream, not about who asked
            }
        }
        HealthCheckResponse response = builder.build();
        cached = response;
        cachedAt = System.nanoTime();
        return response;
    }

    private void refused(String refusal) {
        String cause = refusal.split("[:(]", 2)[0].trim();
        // Once per cause: a token file that reappears with a token STS refuses is a new cause, a new line.
        if (!cause.equals(refusedFor)) {
            LOG.errorf("AWS refuses the service (%s): nothing is delivered to %s or committed until it accepts it; the records wait in "
                    + "Kafka. Check %s, and that this host's clock is within 5 minutes of AWS's", refusal, config.deliveryStream(),
                    AwsRefusals.whoTheServiceIs(aws));
        }
        refusedFor = cause;
    }

    private void accepted() {
        if (refusedFor != null) {
            LOG.infof("AWS accepts the service again; delivery to %s resumes", config.deliveryStream());
        }
        refusedFor = null;
    }
}
