package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders each kustomize overlay with {@code kubectl kustomize} and checks it against the
 * application's configuration: ports, probe paths, environment variable names, ConfigMap keys,
 * shutdown timing, the security context and the wiring between the objects.
 */
class DeploymentManifestsTest {

    private static ApplicationConfiguration config;

    @BeforeAll
    static void loadConfiguration() {
        config = ApplicationConfiguration.load();
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod", "prod-msk-iam" })
    void overlayMatchesTheApplicationConfiguration(String overlay) throws Exception {
        List<Map<String, Object>> objects = render(overlay);
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> deployments = ofKind(objects, "Deployment");
        assertThat(deployments).as("Deployments in overlay %s", overlay).isNotEmpty();
        for (Map<String, Object> deployment : deployments) {
            checkDeployment(objects, deployment, problems);
        }
        checkServices(objects, problems);
        checkServiceMonitors(objects, problems);
        checkScaledObjects(objects, problems);
        checkMskIam(objects, problems);
        checkServiceAccount(objects, problems);
        checkDisruptionBudget(objects, problems);
        assertThat(ofKind(objects, "NetworkPolicy")).as("NetworkPolicy").isNotEmpty();
        assertThat(problems).as("problems in overlay %s", overlay).isEmpty();
    }

    private void checkDeployment(List<Map<String, Object>> objects, Map<String, Object> deployment, List<String> problems) {
        String name = name(deployment);
        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        List<Map<String, Object>> containers = list(pod, "containers");
        if (!Boolean.TRUE.equals(map(pod, "securityContext").get("runAsNonRoot"))) {
            problems.add(name + ": pod securityContext.runAsNonRoot must be true");
        }
        for (Map<String, Object> container : containers) {
            String where = name + "/" + container.get("name");
            if ("local-firehose".equals(String.valueOf(container.get("image")))) {
                checkLocalFirehose(where, objects, container, pod, problems);
            } else {
                Map<String, String> env = environment(objects, container, where, problems);
                String profile = env.getOrDefault("QUARKUS_PROFILE", "prod");
                if (!config.profiles().contains(profile)) {
                    problems.add(where + ": QUARKUS_PROFILE=" + profile + " is no profile of application.properties " + config.profiles());
                }
                for (String variable : env.keySet()) {
                    config.envProblem(variable, profile).ifPresent(p -> problems.add(where + ": " + p));
                }

                Map<String, Integer> ports = new LinkedHashMap<>();
                for (Map<String, Object> port : list(container, "ports")) {
                    ports.put(String.valueOf(port.get("name")), ((Number) port.get("containerPort")).intValue());
                }
                int httpPort = Integer.parseInt(config.resolve("quarkus.http.port", profile, env).orElse("8080"));
                if (!Objects.equals(ports.get("http"), httpPort)) {
                    problems.add(where + ": port 'http' is " + ports.get("http") + " but quarkus.http.port is " + httpPort + " in profile " + profile);
                }
                String httpHost = config.resolve("quarkus.http.host", profile, env).orElse("0.0.0.0");
                if (!httpHost.equals("0.0.0.0")) {
                    problems.add(where + ": quarkus.http.host is " + httpHost + " in profile " + profile + ": probes from the kubelet would not reach it");
                }
                checkProbe(where, container, "livenessProbe", "/q/health/live", ports, httpPort, true, problems);
                checkProbe(where, container, "readinessProbe", "/q/health/ready", ports, httpPort, true, problems);
                checkProbe(where, container, "startupProbe", "/q/health/started", ports, httpPort, false, problems);

                long grace = ((Number) pod.getOrDefault("terminationGracePeriodSeconds", 30)).longValue();
                if (config.resolve("bridge.delivery.enabled", profile, env).map(Boolean::parseBoolean).orElse(true)) {
                    Duration shutdownGrace = ApplicationConfiguration.duration(config.resolve("bridge.delivery.shutdown-grace", profile, env).orElseThrow());
                    Duration quarkusShutdown = ApplicationConfiguration.duration(config.resolve("quarkus.shutdown.timeout", profile, env).orElse("0s"));
                    if (grace <= shutdownGrace.toSeconds() || grace <= quarkusShutdown.toSeconds()) {
                        problems.add(where + ": terminationGracePeriodSeconds " + grace + " must exceed bridge.delivery.shutdown-grace "
                                + shutdownGrace + " and quarkus.shutdown.timeout " + quarkusShutdown);
                    }
                }
            }

            Map<String, Object> security = map(container, "securityContext");
            if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                problems.add(where + ": allowPrivilegeEscalation must be false");
            }
            if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                problems.add(where + ": readOnlyRootFilesystem must be true");
            }
            Object drop = map(security, "capabilities").get("drop");
            if (!(drop instanceof List<?> dropped && dropped.contains("ALL"))) {
                problems.add(where + ": capabilities must drop ALL");
            }
            boolean tmpIsEmptyDir = list(container, "volumeMounts").stream()
                    .filter(m -> "/tmp".equals(m.get("mountPath")))
                    .anyMatch(m -> list(pod, "volumes").stream().anyMatch(v -> m.get("name").equals(v.get("name")) && v.containsKey("emptyDir")));
            if (!tmpIsEmptyDir) {
                problems.add(where + ": /tmp must be an emptyDir (the root filesystem is read-only)");
            }
            if (map(container, "resources", "limits").get("memory") == null || map(container, "resources", "requests").get("memory") == null) {
                problems.add(where + ": memory request and limit must be set");
            }
        }
    }

    /**
     * The dev overlay's local Firehose runs its own image (deploy/local/firehose), with its own settings: ports, probes and
     * shutdown grace are checked against that program's application.properties, not the service's.
     */
    private void checkLocalFirehose(String where, List<Map<String, Object>> objects, Map<String, Object> container,
            Map<String, Object> pod, List<String> problems) {
        Properties settings = new Properties();
        try (var in = Files.newBufferedReader(ConfigMappings.projectDirectory().resolve("deploy/local/firehose/src/main/resources/application.properties"))) {
            settings.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> env = environment(objects, container, where, problems);
        env.keySet().stream().filter(v -> !v.startsWith("LOCAL_FIREHOSE_") && !v.startsWith("JAVA_"))
                .forEach(v -> problems.add(where + ": " + v + " is no setting of the local Firehose"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Map<String, Object> port : list(container, "ports")) {
            ports.put(String.valueOf(port.get("name")), ((Number) port.get("containerPort")).intValue());
        }
        int firehosePort = Integer.parseInt(env.getOrDefault("LOCAL_FIREHOSE_PORT", settings.getProperty("local-firehose.port")));
        if (!Objects.equals(ports.get("firehose"), firehosePort)) {
            problems.add(where + ": port 'firehose' is " + ports.get("firehose") + " but the endpoint listens on " + firehosePort);
        }
        int httpPort = Integer.parseInt(settings.getProperty("quarkus.http.port"));
        checkProbe(where, container, "livenessProbe", "/q/health/live", ports, httpPort, true, problems);
        checkProbe(where, container, "readinessProbe", "/q/health/ready", ports, httpPort, true, problems);
        // LocalFirehoseConfig.shutdownFlushTimeout's default: buffered records are delivered on SIGTERM within it.
        long grace = ((Number) pod.getOrDefault("terminationGracePeriodSeconds", 30)).longValue();
        if (grace <= 30) {
            problems.add(where + ": terminationGracePeriodSeconds " + grace + " must exceed the endpoint's 30 s shutdown flush");
        }
    }

    private static void checkProbe(String where, Map<String, Object> container, String probe, String path, Map<String, Integer> ports,
            int httpPort, boolean required, List<String> problems) {
        Map<String, Object> get = map(container, probe, "httpGet");
        if (get.isEmpty()) {
            if (required) {
                problems.add(where + ": " + probe + " (HTTP GET " + path + ") is missing");
            }
            return;
        }
        if (!path.equals(get.get("path"))) {
            problems.add(where + ": " + probe + " path is " + get.get("path") + ", expected " + path);
        }
        Object port = get.get("port");
        Integer number = port instanceof Number n ? Integer.valueOf(n.intValue()) : ports.get(String.valueOf(port));
        if (!Objects.equals(number, httpPort)) {
            problems.add(where + ": " + probe + " port " + port + " is not quarkus.http.port " + httpPort);
        }
    }

    /** The container's environment: its env entries (secret values as a placeholder) and the ConfigMaps it imports. */
    static Map<String, String> environment(List<Map<String, Object>> objects, Map<String, Object> container, String where,
            List<String> problems) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> from : list(container, "envFrom")) {
            Map<String, Object> ref = map(from, "configMapRef");
            if (ref.isEmpty()) {
                continue;
            }
            Map<String, Object> configMap = ofKind(objects, "ConfigMap").stream().filter(c -> ref.get("name").equals(name(c))).findFirst()
                    .orElse(null);
            if (configMap == null) {
                problems.add(where + ": ConfigMap " + ref.get("name") + " is not part of the overlay");
                continue;
            }
            map(configMap, "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Map<String, Object> e : list(container, "env")) {
            env.put(String.valueOf(e.get("name")), e.containsKey("value") ? String.valueOf(e.get("value")) : "<from " + e.get("valueFrom") + ">");
        }
        return env;
    }

    private static void checkServices(List<Map<String, Object>> objects, List<String> problems) {
        for (Map<String, Object> service : ofKind(objects, "Service")) {
            Map<String, Object> selector = map(service, "spec", "selector");
            Map<String, Object> deployment = ofKind(objects, "Deployment").stream()
                    .filter(d -> map(d, "spec", "template", "metadata", "labels").entrySet().containsAll(selector.entrySet()))
                    .findFirst().orElse(null);
            if (deployment == null) {
                problems.add("Service " + name(service) + " selects no Deployment");
                continue;
            }
            List<Map<String, Object>> ports = list(map(deployment, "spec", "template", "spec"), "containers").stream()
                    .flatMap(c -> list(c, "ports").stream()).toList();
            for (Map<String, Object> port : list(map(service, "spec"), "ports")) {
                Object target = port.getOrDefault("targetPort", port.get("port"));
                boolean found = ports.stream().anyMatch(p -> target.equals(p.get("name")) || target.equals(p.get("containerPort")));
                if (!found) {
                    problems.add("Service " + name(service) + " targets port " + target + ", which Deployment " + name(deployment) + " does not declare");
                }
            }
        }
    }

    private static void checkServiceMonitors(List<Map<String, Object>> objects, List<String> problems) {
        List<Map<String, Object>> monitors = ofKind(objects, "ServiceMonitor");
        if (monitors.isEmpty()) {
            problems.add("no ServiceMonitor");
        }
        for (Map<String, Object> monitor : monitors) {
            Map<String, Object> selector = map(monitor, "spec", "selector", "matchLabels");
            List<Map<String, Object>> services = ofKind(objects, "Service").stream()
                    .filter(s -> map(s, "metadata", "labels").entrySet().containsAll(selector.entrySet())).toList();
            if (services.isEmpty()) {
                problems.add("ServiceMonitor " + name(monitor) + " selects no Service");
            }
            for (Map<String, Object> endpoint : list(map(monitor, "spec"), "endpoints")) {
                if (!"/q/metrics".equals(endpoint.get("path"))) {
                    problems.add("ServiceMonitor " + name(monitor) + " scrapes " + endpoint.get("path") + ", not /q/metrics");
                }
                boolean portExists = services.stream().flatMap(s -> list(map(s, "spec"), "ports").stream())
                        .anyMatch(p -> Objects.equals(p.get("name"), endpoint.get("port")));
                if (!portExists) {
                    problems.add("ServiceMonitor " + name(monitor) + " scrapes port " + endpoint.get("port") + ", which its Service does not name");
                }
            }
        }
    }

    private static void checkScaledObjects(List<Map<String, Object>> objects, List<String> problems) {
        List<Map<String, Object>> scaled = ofKind(objects, "ScaledObject");
        if (scaled.isEmpty()) {
            problems.add("no KEDA ScaledObject");
        }
        for (Map<String, Object> so : scaled) {
            String target = String.valueOf(map(so, "spec", "scaleTargetRef").get("name"));
            Map<String, Object> deployment = ofKind(objects, "Deployment").stream().filter(d -> target.equals(name(d))).findFirst().orElse(null);
            if (deployment == null) {
                problems.add("ScaledObject " + name(so) + " scales " + target + ", which is not in the overlay");
                continue;
            }
            Map<String, Object> spec = map(so, "spec");
            if (!(spec.get("maxReplicaCount") instanceof Number max) || !(spec.get("minReplicaCount") instanceof Number min)
                    || max.intValue() < min.intValue()) {
                problems.add("ScaledObject " + name(so) + " needs minReplicaCount <= maxReplicaCount (the partition count)");
            }
            Map<String, Object> container = list(map(deployment, "spec", "template", "spec"), "containers").get(0);
            Map<String, String> env = environment(objects, container, target, problems);
            String profile = env.getOrDefault("QUARKUS_PROFILE", "prod");
            Map<String, String> expected = Map.of(
                    "bootstrapServers", config.resolve("kafka.bootstrap.servers", profile, env).orElse(""),
                    "consumerGroup", config.resolve("mp.messaging.incoming.clicks.group.id", profile, env).orElse(""),
                    "topic", config.resolve("mp.messaging.incoming.clicks.topic", profile, env).orElse(""));
            for (Map<String, Object> trigger : list(spec, "triggers")) {
                if (!"kafka".equals(trigger.get("type"))) {
                    continue;
                }
                expected.forEach((field, value) -> {
                    Object actual = map(trigger, "metadata").get(field);
                    if (!value.equals(actual)) {
                        problems.add("ScaledObject " + name(so) + " trigger " + field + " is " + actual + " but the bridge uses " + value);
                    }
                });
            }
        }
    }

    /**
     * Where the bridge signs in to Kafka with MSK IAM: its login is the aws-msk-iam-auth library's and not replaced by a
     * Secret, and the KEDA trigger on the same cluster signs in with IAM too (the kafka scaler's OAUTHBEARER token provider,
     * TLS, the cluster's region, AWS credentials from its TriggerAuthentication).
     */
    private static void checkMskIam(List<Map<String, Object>> objects, List<String> problems) {
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            Map<String, Object> container = list(map(deployment, "spec", "template", "spec"), "containers").get(0);
            String where = name(deployment) + "/" + container.get("name");
            Map<String, String> env = environment(objects, container, where, problems);
            if (!"AWS_MSK_IAM".equals(env.get("KAFKA_SASL_MECHANISM"))) {
                continue;
            }
            Map<String, String> login = Map.of(
                    "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                    "KAFKA_SASL_JAAS_CONFIG", "software.amazon.msk.auth.iam.IAMLoginModule required",
                    "KAFKA_SASL_CLIENT_CALLBACK_HANDLER_CLASS", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
            login.forEach((variable, expected) -> {
                if (!String.valueOf(env.get(variable)).startsWith(expected)) {
                    problems.add(where + ": MSK IAM needs " + variable + "=" + expected + "..., not " + env.get(variable));
                }
            });
            String servers = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "");
            Matcher host = Pattern.compile("\\.kafka\\.([a-z0-9-]+)\\.amazonaws\\.com").matcher(servers);
            String clusterRegion = host.find() ? host.group(1) : null;
            for (Map<String, Object> so : ofKind(objects, "ScaledObject")) {
                if (!name(deployment).equals(map(so, "spec", "scaleTargetRef").get("name"))) {
                    continue;
                }
                for (Map<String, Object> trigger : list(map(so, "spec"), "triggers")) {
                    if (!"kafka".equals(trigger.get("type"))) {
                        continue;
                    }
                    String what = "ScaledObject " + name(so) + " trigger";
                    Map<String, Object> metadata = map(trigger, "metadata");
                    Map<String, String> iam = Map.of("sasl", "oauthbearer", "saslTokenProvider", "aws_msk_iam", "tls", "enable");
                    iam.forEach((field, value) -> {
                        if (!value.equals(metadata.get(field))) {
                            problems.add(what + " " + field + " is " + metadata.get(field) + ": KEDA's kafka scaler signs in to MSK IAM with "
                                    + iam);
                        }
                    });
                    Object awsRegion = metadata.get("awsRegion");
                    if (clusterRegion != null ? !clusterRegion.equals(awsRegion) : awsRegion == null) {
                        problems.add(what + " awsRegion is " + awsRegion + " but the brokers " + servers + " are in another region");
                    }
                    Object auth = map(trigger, "authenticationRef").get("name");
                    Map<String, Object> ta = ofKind(objects, "TriggerAuthentication").stream().filter(t -> name(t).equals(auth)).findFirst()
                            .orElse(null);
                    boolean awsCredentials = ta != null && ("aws".equals(map(ta, "spec", "podIdentity").get("provider"))
                            || list(map(ta, "spec"), "secretTargetRef").stream()
                                    .anyMatch(r -> List.of("awsRoleArn", "awsAccessKeyID").contains(r.get("parameter"))));
                    if (!awsCredentials) {
                        problems.add(what + " authenticationRef " + auth + " is no TriggerAuthentication of the overlay with AWS credentials "
                                + "(podIdentity provider aws, or awsRoleArn / awsAccessKeyID)");
                    }
                }
            }
        }
    }

    private static void checkServiceAccount(List<Map<String, Object>> objects, List<String> problems) {
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            Object account = map(deployment, "spec", "template", "spec").get("serviceAccountName");
            if (account == null) {
                continue;
            }
            Map<String, Object> sa = ofKind(objects, "ServiceAccount").stream().filter(s -> account.equals(name(s))).findFirst().orElse(null);
            if (sa == null) {
                problems.add("Deployment " + name(deployment) + " uses ServiceAccount " + account + ", which is not in the overlay");
            } else if (!String.valueOf(map(sa, "metadata", "annotations").get("eks.amazonaws.com/role-arn")).matches("arn:aws:iam::\\d{12}:role/.+")) {
                problems.add("ServiceAccount " + account + " needs the IRSA annotation eks.amazonaws.com/role-arn with a role ARN");
            }
        }
    }

    private static void checkDisruptionBudget(List<Map<String, Object>> objects, List<String> problems) {
        for (Map<String, Object> pdb : ofKind(objects, "PodDisruptionBudget")) {
            Map<String, Object> selector = map(pdb, "spec", "selector", "matchLabels");
            boolean matches = ofKind(objects, "Deployment").stream()
                    .anyMatch(d -> map(d, "spec", "template", "metadata", "labels").entrySet().containsAll(selector.entrySet()));
            if (!matches) {
                problems.add("PodDisruptionBudget " + name(pdb) + " selects no Deployment");
            }
            return;
        }
        problems.add("no PodDisruptionBudget");
    }

    /** The overlay as {@code kubectl kustomize} renders it (the test is skipped where kubectl is missing). */
    static List<Map<String, Object>> render(String overlay) throws IOException, InterruptedException {
        Path dir = ConfigMappings.projectDirectory().resolve("deploy/k8s/overlays").resolve(overlay);
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            assumeTrue(false, "kubectl is not installed, so the overlays cannot be rendered here: " + e.getMessage());
            throw e;
        }
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s failed: %s", dir, err).isZero();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(new String(out, StandardCharsets.UTF_8))) {
            if (doc instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) m;
                objects.add(object);
            }
        }
        return objects;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    static String name(Map<String, Object> object) {
        return String.valueOf(map(object, "metadata").get("name"));
    }

    /** The nested map at a path, or an empty map when any step is missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> from, String... path) {
        Object current = from;
        for (String step : path) {
            if (!(current instanceof Map<?, ?> m) || !(m.get(step) instanceof Map<?, ?>)) {
                return Map.of();
            }
            current = m.get(step);
        }
        return (Map<String, Object>) current;
    }

    /** The list of maps under a key, or an empty list. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> from, String key) {
        return from.get(key) instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
