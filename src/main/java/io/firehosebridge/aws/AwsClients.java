package io.firehosebridge.aws;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Where every AWS client of the service is made, from {@link AwsConfig}: the one credentials provider, the Firehose client
 * and the backup's S3 client, each with the configured region. The feature packages inject the clients (and the signed
 * {@code PutRecordBatch} the credentials provider); none builds one. One credentials provider means one cache and one
 * background refresh of the default chain's credentials instead of one per client, closed once, here, when the service
 * stops. It is made at startup, so credentials set by half fail the start with the setting's name rather than the first call.
 */
@ApplicationScoped
public class AwsClients {

    private static final Logger LOG = Logger.getLogger(AwsClients.class);

    /**
     * What the Firehose client takes from the delivery settings, which live with delivery: produced there, so this package
     * depends on no feature.
     *
     * @param endpoint the endpoint override (the local Firehose); empty means AWS
     * @param callTimeout how long one call may take, its retries included (it makes none)
     */
    public record FirehoseSettings(Optional<URI> endpoint, Duration callTimeout) {
    }

    /**
     * The role and token file of web identity credentials (IRSA), as EKS's pod identity webhook sets them
     * ({@code AWS_ROLE_ARN}, {@code AWS_WEB_IDENTITY_TOKEN_FILE}, or the system properties {@code aws.roleArn},
     * {@code aws.webIdentityTokenFile}).
     */
    record WebIdentity(String roleArn, Path tokenFile) {

        /** The web identity the environment names, if it names both parts. */
        static Optional<WebIdentity> fromEnvironment() {
            Optional<String> role = SdkSystemSetting.AWS_ROLE_ARN.getStringValue();
            Optional<String> file = SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE.getStringValue();
            return role.isPresent() && file.isPresent() ? Optional.of(new WebIdentity(role.get(), Path.of(file.get()))) : Optional.empty();
        }
    }

    // Singleton, not a client proxy: the signer tells static keys (resolved in place) from providers that may block.
    @Produces
    @Singleton
    @Startup
    AwsCredentialsProvider credentials(AwsConfig aws) {
        return credentials(aws, WebIdentity.fromEnvironment());
    }

    AwsCredentialsProvider credentials(AwsConfig aws, Optional<WebIdentity> webIdentity) {
        Optional<String> id = aws.credentials().accessKeyId();
        Optional<String> secret = aws.credentials().secretAccessKey();
        if (id.isPresent() != secret.isPresent()) {
            throw new ConfigurationException("bridge.aws.credentials.access-key-id and bridge.aws.credentials.secret-access-key "
                    + "must be set together (or both left unset to use the default credentials chain)");
        }
        if (id.isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(id.get(), secret.get()));
        }
        Duration refresh = aws.credentials().refreshBeforeExpiry();
        Duration block = aws.credentials().blockBeforeExpiry();
        if (block.isNegative() || block.compareTo(refresh) >= 0) {
            throw new ConfigurationException("bridge.aws.credentials.block-before-expiry (" + block + ") must be at least 0 and shorter than "
                    + "bridge.aws.credentials.refresh-before-expiry (" + refresh + ")");
        }
        if (webIdentity.isPresent()) {
            // What the default chain would pick first for IRSA, built here to set when it renews. Renewed in the
            // background from refresh-before-expiry on, so a call rarely waits for STS.
            WebIdentity w = webIdentity.get();
            LOG.infof("AWS credentials: web identity (IRSA) for role %s, token file %s; renewed in the background %s before they expire",
                    w.roleArn(), w.tokenFile(), refresh);
            return WebIdentityTokenFileCredentialsProvider.builder().roleArn(w.roleArn()).webIdentityTokenFile(w.tokenFile())
                    .asyncCredentialUpdateEnabled(true).prefetchTime(refresh).staleTime(block).build();
        }
        // Refreshed in the background before they expire, so a call that needs them rarely waits for a metadata endpoint.
        return DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    }

    void close(@Disposes AwsCredentialsProvider credentials) {
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The async Firehose client for control-plane calls (the readiness check): no retries, bounded by the call timeout. */
    @Produces
    @ApplicationScoped
    FirehoseAsyncClient firehose(FirehoseSettings firehose, AwsConfig aws, AwsCredentialsProvider credentials) {
        FirehoseAsyncClientBuilder builder = FirehoseAsyncClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(4)
                        .tcpKeepAlive(true))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(firehose.callTimeout()));
        Region region = region(aws);
        if (region != null) {
            builder.region(region);
        }
        firehose.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes FirehoseAsyncClient client) {
        client.close();
    }

    /** The S3 client that reads the backup (bridge.aws.s3-endpoint, bridge.aws.s3-path-style), with the SDK's default retries. */
    @Produces
    @ApplicationScoped
    S3Client s3(AwsConfig aws, AwsCredentialsProvider credentials) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(aws.s3PathStyle());
        Region region = region(aws);
        if (region != null) {
            builder.region(region);
        }
        aws.s3Endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes S3Client client) {
        client.close();
    }

    /** The configured region, or null to let the SDK's region chain decide. */
    public static Region region(AwsConfig aws) {
        return aws.region().map(Region::of).orElse(null);
    }
}
