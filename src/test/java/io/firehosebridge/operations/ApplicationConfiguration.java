package io.firehosebridge.operations;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The application's configuration as a deployment sees it: application.properties with its profiles,
 * the {@code @ConfigMapping} settings, and the environment variables that reach them. Used to check
 * that manifests and docker-compose.yml set only names the application reads, and to resolve ports.
 */
final class ApplicationConfiguration {

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}");

    /** Variables read by the container image or by Quarkus itself rather than by a configuration key. */
    static final Set<String> PLATFORM_ENV = Set.of(
            "QUARKUS_PROFILE", // the active profile
            // run-java.sh of the UBI 9 OpenJDK image (it no longer reads JAVA_INITIAL_MEM_RATIO); see DeployedJvm.startScriptOptions
            "JAVA_OPTS", "JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO", "GC_CONTAINER_OPTIONS", "GC_MIN_HEAP_FREE_RATIO", "GC_MAX_HEAP_FREE_RATIO",
            "GC_TIME_RATIO", "GC_ADAPTIVE_SIZE_POLICY_WEIGHT", "GC_METASPACE_SIZE", "GC_MAX_METASPACE_SIZE",
            "MALLOC_ARENA_MAX"); // glibc

    /** Quarkus properties that deployments set and application.properties does not mention (all documented by Quarkus). */
    static final Set<String> QUARKUS_KEYS = Set.of(
            "quarkus.http.host",
            "quarkus.elasticsearch.protocol",
            "quarkus.elasticsearch.username",
            "quarkus.elasticsearch.password",
            "quarkus.log.level",
            // the identity provider (bridge.identity.mode=oidc; docs/operations.md, "Identity providers")
            "quarkus.oidc.auth-server-url",
            "quarkus.oidc.token.audience",
            "quarkus.oidc.roles.role-claim-path");

    private final Properties properties = new Properties();
    private final Map<String, ConfigMappings.Setting> settings = new HashMap<>();
    private final Set<String> kafkaClientKeys = new TreeSet<>();

    private ApplicationConfiguration() {
        try (Reader in = Files.newBufferedReader(ConfigMappings.projectDirectory().resolve("src/main/resources/application.properties"),
                StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (ConfigMappings.Setting s : ConfigMappings.settings()) {
            settings.put(s.name(), s);
        }
        kafkaClientKeys.addAll(ConsumerConfig.configNames());
        kafkaClientKeys.addAll(ProducerConfig.configNames());
    }

    static ApplicationConfiguration load() {
        return new ApplicationConfiguration();
    }

    Properties properties() {
        return properties;
    }

    /** Profiles named in application.properties ({@code %name.}), plus the default {@code prod}. */
    Set<String> profiles() {
        Set<String> names = new TreeSet<>(Set.of("prod"));
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("%")) {
                names.add(key.substring(1, key.indexOf('.')));
            }
        }
        return names;
    }

    /** The profile and its parents ({@code quarkus.config.profile.parent}), nearest first. */
    List<String> profileChain(String profile) {
        List<String> chain = new ArrayList<>();
        for (String p = profile; p != null && !chain.contains(p); p = properties.getProperty("%" + p + ".quarkus.config.profile.parent")) {
            chain.add(p);
        }
        return chain;
    }

    /**
     * The value a key takes in a container running {@code profile} with {@code env}: an environment
     * variable beats application.properties (ordinal 300 over 250, profiled or not), a profiled key
     * beats the plain one, and the mapping's default comes last. Expressions are expanded.
     */
    Optional<String> resolve(String key, String profile, Map<String, String> env) {
        String value = env.get(ConfigMappings.envName(key));
        if (value == null) {
            for (String p : profileChain(profile)) {
                value = properties.getProperty("%" + p + "." + key);
                if (value != null) {
                    break;
                }
            }
        }
        if (value == null) {
            value = properties.getProperty(key);
        }
        if (value == null && settings.containsKey(key)) {
            value = settings.get(key).defaultValue();
        }
        return Optional.ofNullable(value).map(v -> expand(v, profile, env));
    }

    private String expand(String value, String profile, Map<String, String> env) {
        Matcher m = EXPRESSION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String replacement = env.containsKey(name) ? env.get(name)
                    : name.contains(".") ? resolve(name, profile, env).orElse(m.group(2)) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? "" : replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every key the application reads by name: mapping settings, application.properties keys (unprofiled) and the Quarkus extras. */
    Set<String> knownKeys() {
        Set<String> keys = new LinkedHashSet<>(settings.keySet());
        for (String key : properties.stringPropertyNames()) {
            keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
        }
        keys.addAll(QUARKUS_KEYS);
        return keys;
    }

    /**
     * Why an environment variable set for a container running {@code profile} would be ignored, or
     * empty when the application reads it.
     */
    Optional<String> envProblem(String name, String profile) {
        if (!name.matches("[A-Z_][A-Z0-9_]*")) {
            return Optional.of(name + " is not an environment variable name Quarkus maps (upper case, digits, underscores)");
        }
        if (PLATFORM_ENV.contains(name)) {
            return Optional.empty();
        }
        for (String key : knownKeys()) {
            if (!key.contains("*") && ConfigMappings.envName(key).equals(name)) {
                return Optional.empty();
            }
        }
        // The Kafka extension passes every KAFKA_* variable to the clients as a client property.
        if (name.startsWith("KAFKA_")) {
            String clientKey = name.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
            return kafkaClientKeys.contains(clientKey) ? Optional.empty()
                    : Optional.of(name + " would reach the Kafka clients as '" + clientKey + "', which is no Kafka client setting");
        }
        List<String> fed = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("%")) {
                continue;
            }
            Matcher m = EXPRESSION.matcher(properties.getProperty(key));
            while (m.find()) {
                if (m.group(1).equals(name)) {
                    fed.add(key);
                }
            }
        }
        if (fed.isEmpty()) {
            return Optional.of(name + " is neither a configuration key of the application nor a ${" + name
                    + "} name in application.properties");
        }
        for (String key : fed) {
            for (String p : profileChain(profile)) {
                if (properties.containsKey("%" + p + "." + key)) {
                    return Optional.of(name + " feeds " + key + ", but profile '" + profile + "' overrides that key with %" + p + "." + key
                            + ", so it is ignored; set " + ConfigMappings.envName(key) + " instead");
                }
            }
        }
        return Optional.empty();
    }

    /** Parses the Duration forms SmallRye accepts that this project uses: 20s, 200ms, 5m, 1h, or ISO-8601. */
    static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(text.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        return Duration.parse(text.trim());
    }
}
