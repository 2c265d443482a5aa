package io.firehosebridge.aws;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the service reaches AWS (Firehose, and S3 for reconciliation). */
@ConfigMapping(prefix = "bridge.aws")
public interface AwsConfig {

    /** AWS region of the delivery stream and the backup bucket; unset means the SDK's region chain (AWS_REGION, profile, IMDS). */
    Optional<String> region();

    /** Static credentials for non-AWS endpoints such as the local stack; unset means the default chain (IRSA/web identity, env, profile). */
    Credentials credentials();

    /** Static credentials, both parts required when one is set. Never logged. */
    interface Credentials {
        /** Access key id. */
        Optional<String> accessKeyId();

        /** Secret access key. */
        Optional<String> secretAccessKey();

        /**
         * With web identity credentials (IRSA): how long before they expire a background refresh starts. The SDK's own
         * default; shorten it only with credentials that last minutes, as in a test.
         */
        @WithDefault("5m")
        Duration refreshBeforeExpiry();

        /**
         * With web identity credentials (IRSA): how long before they expire a call waits for new ones instead of using
         * them. The SDK's own default; must be shorter than {@link #refreshBeforeExpiry()}.
         */
        @WithDefault("1m")
        Duration blockBeforeExpiry();
    }

    /** Whether S3 is addressed path-style (needed by S3-compatible stores such as S3Proxy). */
    @WithDefault("false")
    boolean s3PathStyle();

    /** S3 endpoint override (e.g. http://127.0.0.1:9000 for the local store); unset means AWS. */
    Optional<java.net.URI> s3Endpoint();
}
