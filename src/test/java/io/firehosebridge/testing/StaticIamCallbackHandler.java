package io.firehosebridge.testing;

import java.util.List;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.msk.auth.iam.IAMClientCallbackHandler;
import software.amazon.msk.auth.iam.internals.AWSCredentialsCallback;

/**
 * The library's client callback handler with the credentials named in the JAAS line ({@code testAccessKeyId},
 * {@code testSecretAccessKey}, {@code testSessionToken}) instead of the default chain, so that clients in one JVM can log
 * in with different keys. The signing, the payload and the SASL exchange stay the library's own.
 */
public class StaticIamCallbackHandler extends IAMClientCallbackHandler {

    private AwsCredentials credentials;

    static String options(IamKafka.Credentials c) {
        return "testAccessKeyId=\"" + c.accessKeyId() + "\" testSecretAccessKey=\"" + c.secretAccessKey() + "\""
                + (c.sessionToken() == null ? "" : " testSessionToken=\"" + c.sessionToken() + "\"");
    }

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        super.configure(configs, saslMechanism, jaasConfigEntries);
        Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
        String id = (String) options.get("testAccessKeyId");
        String secret = (String) options.get("testSecretAccessKey");
        String token = (String) options.get("testSessionToken");
        credentials = token == null ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token);
    }

    @Override
    protected void handleCallback(AWSCredentialsCallback callback) {
        callback.setAwsCredentials(credentials);
    }
}
