package io.firehosebridge.reconcile.scan;

import io.firehosebridge.aws.AwsConfig;
import io.firehosebridge.aws.AwsRefusals;
import io.firehosebridge.aws.RefusalLog;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Ready only while S3 lets the service read the backup bucket ({@code bridge.reconcile.backup-bucket}): reconciliation,
 * re-drive and the ledger's checks read it, and a bucket that refuses the service (its key, its token, a policy that does
 * not admit its role) is a configuration to fix. The check lists at most one key there, what every backup scan does
 * first ({@code s3:ListBucket}), at most every 10 seconds. When S3 starts refusing, one log line names the refusal, the
 * bucket and the settings that say who the service is; one line again when it reads. Any other answer (a bucket that does
 * not exist, S3 out of reach) does not make the service unready here, since delivery does not read S3; the data says what
 * happened.
 */
@Readiness
@ApplicationScoped
public class BackupAccessHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(BackupAccessHealthCheck.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(4);

    @Inject
    S3Client s3;

    @Inject
    Routes routes;

    @Inject
    AwsConfig aws;

    /** How long an answer is reused: probes ask every few seconds, the bucket needs asking less often. */
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
        List<String> buckets = routes.streams().stream().map(Route::backupBucket).distinct().toList();
        List<String> results = new ArrayList<>();
        boolean up = true;
        for (String bucket : buckets) {
            Optional<String> refusal = check(bucket, results, buckets.size() > 1);
            up &= refusal.isEmpty();
        }
        HealthCheckResponse response = HealthCheckResponse.named("backup-access").withData("bucket", String.join(", ", buckets))
                .withData("result", String.join("; ", results)).status(up).build();
        cached = response;
        cachedAt = System.nanoTime();
        return response;
    }

    /** Lists one key of the bucket, adding what came of it to {@code results}; returns the refusal, if the caller was refused. */
    private Optional<String> check(String bucket, List<String> results, boolean named) {
        String result;
        Optional<String> refusal;
        try {
            // Bounded, retries included: a probe must be answered within its own timeout.
            s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(1).overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT)));
            result = "listed";
            refusal = Optional.empty();
        } catch (RuntimeException e) {
            refusal = AwsRefusals.callerProblem(e);
            result = refusal.orElseGet(() -> e instanceof AwsServiceException a && a.awsErrorDetails() != null
                    ? a.awsErrorDetails().errorCode() + ": " + a.awsErrorDetails().errorMessage()
                    : "not reached: " + e.getMessage());
        }
        refusal.ifPresentOrElse(
                r -> refusals.refused(r, () -> "S3 refuses to let the service read the backup bucket " + bucket + " (" + r + "): reconciliation, "
                        + "re-drive and the ledger's checks cannot read the backup until it does. Check " + AwsRefusals.whoTheServiceIs(aws)
                        + ", the role's s3:ListBucket and s3:GetObject on the bucket, and that this host's clock is within 15 minutes of AWS's"),
                () -> refusals.accepted(() -> "S3 lets the service read the backup bucket " + bucket + " again"));
        results.add(named ? bucket + ": " + result : result);
        return refusal;
    }
}
