package io.firehosebridge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's IAM Kafka broker ({@code deploy/local/stack up kafka-iam}) as a client sees it: its AWS_MSK_IAM
 * listener (and the one whose clock runs {@code skewSeconds} behind), the PLAINTEXT listener the tests' own helpers
 * use, the region, the truststore and the keys the broker knows, read from {@code deploy/local/stack env}.
 */
public record IamKafka(String bootstrapServers, String skewedBootstrapServers, long skewSeconds, String plaintextBootstrapServers,
        String region, String truststore, String truststoreType, String truststorePassword, Credentials longTerm,
        Credentials temporary, Credentials expired) {

    /** AWS credentials as the default chain would find them; {@code sessionToken} null for a long-term key. */
    public record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {

        /** The same key with another secret. */
        public Credentials withSecret(String secret) {
            return new Credentials(accessKeyId, secret, sessionToken);
        }

        /** The variables the default credentials chain reads first (as a Pod's environment would set them). */
        public Map<String, String> environment() {
            Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", accessKeyId, "AWS_SECRET_ACCESS_KEY", secretAccessKey));
            if (sessionToken != null) {
                env.put("AWS_SESSION_TOKEN", sessionToken);
            }
            return env;
        }

        /** The system properties the default credentials chain reads (for a service running inside the test's JVM). */
        public Map<String, String> systemProperties() {
            Map<String, String> props = new HashMap<>(Map.of("aws.accessKeyId", accessKeyId, "aws.secretAccessKey", secretAccessKey));
            if (sessionToken != null) {
                props.put("aws.sessionToken", sessionToken);
            }
            return props;
        }
    }

    private static IamKafka started;

    /** Brings the IAM broker up (reusing it when it runs) and reads its client settings. */
    public static synchronized IamKafka local() {
        if (started != null) {
            return started;
        }
        Path launcher = Path.of("deploy/local/stack").toAbsolutePath();
        try {
            Process p = new ProcessBuilder(launcher.toString(), "up", "kafka-iam").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(launcher + " up kafka-iam failed:\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + launcher, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, String> env = SecuredKafka.launcherEnv();
        IamKafka kafka = new IamKafka(env.get("IAM_KAFKA_BOOTSTRAP_SERVERS"), env.get("IAM_KAFKA_SKEWED_BOOTSTRAP_SERVERS"),
                Long.parseLong(env.getOrDefault("IAM_KAFKA_SKEW_SECONDS", "0")), env.get("IAM_KAFKA_PLAINTEXT_BOOTSTRAP_SERVERS"),
                env.get("IAM_KAFKA_REGION"), env.get("SECURE_KAFKA_TRUSTSTORE_LOCATION"), env.get("SECURE_KAFKA_TRUSTSTORE_TYPE"),
                env.get("SECURE_KAFKA_TRUSTSTORE_PASSWORD"),
                new Credentials(env.get("IAM_KAFKA_ACCESS_KEY_ID"), env.get("IAM_KAFKA_SECRET_ACCESS_KEY"), null),
                new Credentials(env.get("IAM_KAFKA_TEMPORARY_ACCESS_KEY_ID"), env.get("IAM_KAFKA_TEMPORARY_SECRET_ACCESS_KEY"),
                        env.get("IAM_KAFKA_TEMPORARY_SESSION_TOKEN")),
                new Credentials(env.get("IAM_KAFKA_EXPIRED_ACCESS_KEY_ID"), env.get("IAM_KAFKA_EXPIRED_SECRET_ACCESS_KEY"),
                        env.get("IAM_KAFKA_EXPIRED_SESSION_TOKEN")));
        if (kafka.bootstrapServers() == null || kafka.longTerm().accessKeyId() == null || !Files.exists(Path.of(kafka.truststore()))) {
            throw new IllegalStateException("deploy/local/stack env gives no IAM Kafka broker: " + env.keySet());
        }
        started = kafka;
        return kafka;
    }

    /**
     * The service's {@code kafka.*} settings for the IAM listener at {@code servers}, and nothing else about Kafka: MSK IAM as
     * docs/operations.md gives it, credentials from the default chain, plus the stack's truststore (MSK's certificates
     * are publicly trusted; the local broker's are not).
     */
    public Map<String, String> serviceSettings(String servers) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap.servers", servers);
        settings.put("kafka.security.protocol", "SASL_SSL");
        settings.put("kafka.sasl.mechanism", "AWS_MSK_IAM");
        settings.put("kafka.sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
        settings.put("kafka.sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
        settings.put("kafka.ssl.truststore.location", truststore);
        settings.put("kafka.ssl.truststore.type", truststoreType);
        settings.put("kafka.ssl.truststore.password", truststorePassword);
        return settings;
    }

    /**
     * Settings of a plain Kafka client (inside the test's JVM) that logs in with the real aws-msk-iam-auth library and
     * {@code credentials} given directly ({@link StaticIamCallbackHandler}) instead of the default chain.
     */
    public Map<String, Object> clientSettings(String servers, Credentials credentials) {
        Map<String, Object> settings = new HashMap<>();
        serviceSettings(servers).forEach((k, v) -> settings.put(k.substring("kafka.".length()), v));
        settings.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required "
                + StaticIamCallbackHandler.options(credentials) + ";");
        settings.put("sasl.client.callback.handler.class", StaticIamCallbackHandler.class.getName());
        return settings;
    }
}
