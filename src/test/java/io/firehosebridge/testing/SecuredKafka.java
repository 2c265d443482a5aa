package io.firehosebridge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's secured Kafka listener (SASL_SSL with SCRAM-SHA-512, deploy/local/stack) as a client
 * sees it: its address, the SCRAM user and the truststore, read from {@code deploy/local/stack env}.
 */
public record SecuredKafka(String bootstrapServers, String mechanism, String username, String password, String truststore,
        String truststoreType, String truststorePassword) {

    /** Brings the stack up (the secured listener included) and reads its client settings. */
    public static synchronized SecuredKafka local() {
        LocalStackResource.ensureStarted();
        Map<String, String> env = launcherEnv();
        SecuredKafka kafka = new SecuredKafka(env.get("SECURE_KAFKA_BOOTSTRAP_SERVERS"), env.get("SECURE_KAFKA_SASL_MECHANISM"),
                env.get("SECURE_KAFKA_USERNAME"), env.get("SECURE_KAFKA_PASSWORD"), env.get("SECURE_KAFKA_TRUSTSTORE_LOCATION"),
                env.get("SECURE_KAFKA_TRUSTSTORE_TYPE"), env.get("SECURE_KAFKA_TRUSTSTORE_PASSWORD"));
        if (kafka.password() == null || kafka.password().isEmpty() || !Files.exists(Path.of(kafka.truststore()))) {
            throw new IllegalStateException("deploy/local/stack env gives no secured Kafka listener: " + kafka.bootstrapServers());
        }
        return kafka;
    }

    /** The service's {@code kafka.*} settings for this listener, and nothing else about Kafka. */
    public Map<String, String> serviceSettings() {
        return serviceSettings(username, password, true);
    }

    /**
     * The service's {@code kafka.*} settings with the given login; without {@code trustLocalCa} the service
     * has no truststore, so the broker's certificate (signed by the stack's own CA) is not trusted.
     */
    public Map<String, String> serviceSettings(String user, String secret, boolean trustLocalCa) {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap.servers", bootstrapServers);
        settings.put("kafka.security.protocol", "SASL_SSL");
        settings.put("kafka.sasl.mechanism", mechanism);
        settings.put("kafka.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + secret + "\";");
        if (trustLocalCa) {
            settings.put("kafka.ssl.truststore.location", truststore);
            settings.put("kafka.ssl.truststore.type", truststoreType);
            settings.put("kafka.ssl.truststore.password", truststorePassword);
        }
        return settings;
    }

    static Map<String, String> launcherEnv() {
        Path launcher = Path.of("deploy/local/stack").toAbsolutePath();
        try {
            Process p = new ProcessBuilder(launcher.toString(), "env").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(launcher + " env failed");
            }
            Map<String, String> env = new HashMap<>();
            out.lines().filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            return env;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + launcher, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
