package io.firehosebridge.aws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The one credentials provider every AWS client of the service uses (the Firehose client, the signed
 * {@code PutRecordBatch}, the backup scanner's S3 client): one cache and one background refresh of the default
 * chain's credentials instead of one per client, closed once when the service stops. Made at startup, so credentials
 * set by half fail the start with the setting's name rather than the first call.
 */
@ApplicationScoped
public class AwsCredentialsProducer {

    // Singleton, not a client proxy: the signer tells static keys (resolved in place) from providers that may block.
    @Produces
    @Singleton
    @Startup
    AwsCredentialsProvider credentials(AwsConfig aws) {
        return AwsClients.credentials(aws);
    }

    void close(@Disposes AwsCredentialsProvider credentials) {
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }
}
