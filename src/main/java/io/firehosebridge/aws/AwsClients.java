package io.firehosebridge.aws;

import java.util.Optional;

import io.quarkus.runtime.configuration.ConfigurationException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** Credentials and region for every AWS client of the service, from {@link AwsConfig}. */
public final class AwsClients {

    private AwsClients() {
    }

    public static AwsCredentialsProvider credentials(AwsConfig config) {
        Optional<String> id = config.credentials().accessKeyId();
        Optional<String> secret = config.credentials().secretAccessKey();
        if (id.isPresent() != secret.isPresent()) {
            throw new ConfigurationException("bridge.aws.credentials.access-key-id and bridge.aws.credentials.secret-access-key "
                    + "must be set together (or both left unset to use the default credentials chain)");
        }
        if (id.isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(id.get(), secret.get()));
        }
        // Refreshed in the background before they expire (IRSA's web identity credentials last an hour), so a call that
        // needs them rarely waits for STS or a metadata endpoint.
        return DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
    }

    /** The configured region, or null to let the SDK's region chain decide. */
    public static Region region(AwsConfig config) {
        return config.region().map(Region::of).orElse(null);
    }
}
