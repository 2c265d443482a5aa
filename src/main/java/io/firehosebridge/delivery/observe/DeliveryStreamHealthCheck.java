package io.firehosebridge.delivery.observe;

import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.AwsConfig;
import io.firehosebridge.aws.AwsRefusals;
import io.firehosebridge.aws.RefusalLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;

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
    Routes routes;

    @Inject
    AwsConfig aws;

    @Inject
    AwsClock clock;

    /** How long an answer is reused: probes ask every few seconds, the control plane has a low quota. */
    long cacheNanos = Duration.ofSeconds(10).toNanos();

    private volatile HealthCheckResponse cached;
    private volatile long cachedAt;
    private final RefusalLog refusals = new RefusalLog(LOG);

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse last = cached;
        if (last != null && System.nanoTime() - cachedAt < cacheNanos) {
            return last;
        }
        List<String> streams = routes.streams().stream().map(Route::deliveryStream).toList();
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("firehose-delivery-stream")
                .withData("deliveryStream", String.join(", ", streams)).up();
        List<String> statuses = new ArrayList<>();
        for (String stream : streams) {
            String status = check(stream, builder, streams.size() > 1 ? "." + stream : "");
            if (streams.size() > 1) {
                statuses.add(stream + ": " + (status == null ? "not read" : status));
            } else if (status != null) {
                statuses.add(status);
            }
        }
        if (!statuses.isEmpty()) {
            builder.withData("status", String.join("; ", statuses));
        }
        HealthCheckResponse response = builder.build();
        cached = response;
        cachedAt = System.nanoTime();
        return response;
    }

    /**
     * Describes one stream, turning the answer DOWN when it is not ACTIVE or cannot be read; returns its status, null when not
     * read. With several streams, its {@code error} and {@code refused} data carry the stream's name ({@code error.web-clicks}).
     */
    private String check(String stream, HealthCheckResponseBuilder builder, String keySuffix) {
        try {
            DeliveryStreamDescription d = firehose.describeDeliveryStream(b -> b.deliveryStreamName(stream))
                    .get(5, TimeUnit.SECONDS).deliveryStreamDescription();
            accepted(stream);
            if (!"ACTIVE".equals(d.deliveryStreamStatusAsString())) {
                builder.down();
            }
            return d.deliveryStreamStatusAsString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().withData("error" + keySuffix, "interrupted");
            return null;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            Optional<String> refusal = AwsRefusals.callerProblem(cause);
            if (refusal.isPresent() && skewedClock(cause)) {
                // The SDK signs this call with the node's clock; the delivery signs with AWS's (AwsClock, which logs the offset).
                return "not read: AWS refuses the node's clock (" + refusal.get() + "); the delivery signs with AWS's time, "
                        + clock.offset().getSeconds() + " s from the node's";
            }
            builder.down().withData("error" + keySuffix, String.valueOf(cause.getMessage()));
            if (refusal.isPresent()) {
                builder.withData("refused" + keySuffix, refusal.get());
                refused(stream, refusal.get());
            } else if (cause instanceof AwsServiceException) {
                accepted(stream); // an answer about the stream, not about who asked
            }
            return null;
        }
    }

    /** Whether AWS refused the call for its signing time (and said its own, which the service now signs with). */
    private boolean skewedClock(Throwable cause) {
        if (cause instanceof AwsServiceException refused) {
            clock.learn("DescribeDeliveryStream", refused, clock.offset());
            // The SDK signed it with the node's clock.
            return clock.aboutTime(refused, Duration.ZERO);
        }
        return false;
    }

    private void refused(String stream, String refusal) {
        refusals.refused(refusal, () -> "AWS refuses the service (" + refusal + "): nothing is delivered to " + stream
                + " or committed until it accepts it; the records wait in Kafka. Check " + AwsRefusals.whoTheServiceIs(aws)
                + ", and that this host's clock is within 5 minutes of AWS's");
    }

    private void accepted(String stream) {
        refusals.accepted(() -> "AWS accepts the service again; delivery to " + stream + " resumes");
    }
}
