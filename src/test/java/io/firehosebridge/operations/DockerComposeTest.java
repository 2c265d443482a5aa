package io.firehosebridge.operations;

import static io.firehosebridge.operations.DeploymentManifestsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked statically against the
 * configuration: the service image and its Dockerfile, environment names, ports, the addresses one
 * service gives another, start order, and the component versions pinned for the local stack.
 */
class DockerComposeTest {

    private static final String IMAGE = "kafka-firehose-bridge";
    private static final Pattern ADDRESS = Pattern.compile("(?:https?://)?([a-z][a-z0-9-]*):(\\d+)");

    private static ApplicationConfiguration config;
    private static Map<String, Object> services;
    private static Path project;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        config = ApplicationConfiguration.load();
        project = ConfigMappings.projectDirectory();
        try (Reader in = Files.newBufferedReader(project.resolve("docker-compose.yml"), StandardCharsets.UTF_8)) {
            Map<String, Object> compose = new Yaml(new LoaderOptions()).load(in);
            services = (Map<String, Object>) compose.get("services");
        }
    }

    @Test
    void serviceImageIsBuiltFromTheJvmDockerfile() {
        List<String> ours = ourServices();
        assertThat(ours).as("services running the %s image", IMAGE).contains("bridge").doesNotContain("firehose");
        for (String name : ours) {
            Map<String, Object> build = map(service(name), "build");
            assertThat(build).as("%s: build section", name).isNotEmpty();
            Path dockerfile = project.resolve(String.valueOf(build.getOrDefault("context", "."))).resolve(String.valueOf(build.get("dockerfile")));
            assertThat(dockerfile).as("%s: Dockerfile", name).exists();
        }
    }

    @Test
    void environmentNamesAreOnesTheApplicationReads() {
        List<String> problems = new ArrayList<>();
        for (String name : ourServices()) {
            Map<String, String> env = environment(name);
            String profile = env.getOrDefault("QUARKUS_PROFILE", "prod");
            if (!config.profiles().contains(profile)) {
                problems.add(name + ": QUARKUS_PROFILE=" + profile + " is no profile of application.properties");
            }
            env.keySet().forEach(variable -> config.envProblem(variable, profile).ifPresent(p -> problems.add(name + ": " + p)));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void publishedPortsAreTheOnesTheApplicationListensOn() {
        List<String> problems = new ArrayList<>();
        for (String name : ourServices()) {
            Set<Integer> listening = listeningPorts(name);
            for (Integer port : publishedContainerPorts(name)) {
                if (!listening.contains(port)) {
                    problems.add(name + ": publishes container port " + port + " but listens on " + listening);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** The local Firehose runs its own image, listens where it is published and delivers to services it waits for. */
    @Test
    void localFirehoseServiceRunsItsOwnImage() throws IOException {
        Map<String, Object> build = map(service("firehose"), "build");
        Path dockerfile = project.resolve(String.valueOf(build.get("context"))).resolve(String.valueOf(build.get("dockerfile")));
        assertThat(dockerfile).as("the local Firehose's Dockerfile").exists();
        String image = Files.readString(dockerfile);
        assertThat(image).as("%s binds all interfaces", dockerfile).contains("LOCAL_FIREHOSE_HOST=0.0.0.0", "-Dquarkus.http.host=0.0.0.0");

        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(project.resolve("deploy/local/firehose/src/main/resources/application.properties"))) {
            settings.load(in);
        }
        Map<String, String> env = environment("firehose");
        // The Firehose API, then the search and S3 fronts on LocalFirehoseConfig's default ports.
        assertThat(publishedContainerPorts("firehose")).containsExactly(Integer.parseInt(settings.getProperty("local-firehose.port")), 9201, 9001);
        assertThat(String.valueOf(map(service("firehose"), "healthcheck").get("test")))
                .contains("localhost:" + settings.getProperty("quarkus.http.port") + "/q/health/ready");
        for (String key : List.of("local-firehose.search-url", "local-firehose.s3.endpoint")) {
            String value = env.getOrDefault(ConfigMappings.envName(key), settings.getProperty(key));
            Matcher m = ADDRESS.matcher(value);
            assertThat(m.find()).as("%s = %s names a host and port", key, value).isTrue();
            assertThat(services).as("%s names a compose service", key).containsKey(m.group(1));
            assertThat(listeningPorts(m.group(1))).as("%s: %s listens on the port", key, m.group(1)).contains(Integer.parseInt(m.group(2)));
            assertThat(dependsOn("firehose")).as("firehose waits for %s", m.group(1)).contains(m.group(1));
        }
        assertThat(env.keySet()).as("variables the local Firehose reads").allMatch(name -> name.startsWith("LOCAL_FIREHOSE_"));
    }

    @Test
    void addressesGivenToTheServiceReachAPortTheOtherServiceListensOn() {
        List<String> problems = new ArrayList<>();
        for (String name : ourServices()) {
            Map<String, String> env = environment(name);
            String profile = env.getOrDefault("QUARKUS_PROFILE", "prod");
            // The values the application ends up with (not just what compose sets), so a profile overriding an address is caught too.
            for (String key : List.of("kafka.bootstrap.servers", "quarkus.elasticsearch.hosts", "bridge.delivery.endpoint", "bridge.aws.s3-endpoint")) {
                String value = config.resolve(key, profile, env).orElse("");
                if (value.contains("127.0.0.1") || value.contains("localhost")) {
                    problems.add(name + ": " + key + " resolves to " + value + " (loopback inside the container)");
                    continue;
                }
                Matcher m = ADDRESS.matcher(value);
                while (m.find()) {
                    String host = m.group(1);
                    int port = Integer.parseInt(m.group(2));
                    if (!services.containsKey(host)) {
                        problems.add(name + ": " + key + " names host " + host + ", which is no compose service");
                    } else if (!listeningPorts(host).contains(port)) {
                        problems.add(name + ": " + key + " uses " + host + ":" + port + " but " + host + " listens on " + listeningPorts(host));
                    } else if (!dependsOn(name).contains(host)) {
                        problems.add(name + ": uses " + host + " but does not depend on it");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void componentVersionsMatchTheLocalStackPins() throws IOException {
        String pins = Files.readString(project.resolve("deploy/local/pom.xml"));
        assertThat(image("kafka")).isEqualTo("apache/kafka:" + pin(pins, "kafka.version"));
        assertThat(image("opensearch")).isEqualTo("opensearchproject/opensearch:" + pin(pins, "opensearch.version"));
        assertThat(image("opensearch-dashboards")).isEqualTo("opensearchproject/opensearch-dashboards:" + pin(pins, "opensearch.version"));
        assertThat(image("s3")).endsWith(pin(pins, "s3proxy.version"));
    }

    @Test
    void startOrderWaitsForHealthyDependencies() {
        for (String name : List.of("bridge", "firehose", "opensearch-dashboards")) {
            Object dependsOn = service(name).get("depends_on");
            assertThat(dependsOn).as("%s depends_on with conditions", name).isInstanceOf(Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> conditions = (Map<String, Object>) dependsOn;
            conditions.forEach((dependency, condition) -> {
                Object wanted = condition instanceof Map<?, ?> c ? c.get("condition") : null;
                if ("service_healthy".equals(wanted)) {
                    assertThat(service(dependency)).as("%s is waited on as healthy, so it needs a healthcheck", dependency).containsKey("healthcheck");
                }
            });
        }
    }

    private static String pin(String pom, String property) {
        Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as("%s in deploy/local/pom.xml", property).isTrue();
        return m.group(1).trim();
    }

    static List<String> ourServices() {
        return services.keySet().stream().filter(n -> String.valueOf(service(n).get("image")).startsWith(IMAGE)).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        return (Map<String, Object>) services.get(name);
    }

    private static String image(String name) {
        return String.valueOf(service(name).get("image"));
    }

    static Map<String, String> environment(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service(name).get("environment");
        if (raw instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        } else if (raw instanceof List<?> l) {
            for (Object entry : l) {
                String[] kv = String.valueOf(entry).split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    private static Set<String> dependsOn(String name) {
        Object raw = service(name).get("depends_on");
        Set<String> names = new LinkedHashSet<>();
        if (raw instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> names.add(String.valueOf(k)));
        } else if (raw instanceof List<?> l) {
            l.forEach(k -> names.add(String.valueOf(k)));
        }
        return names;
    }

    /** Container-side ports of the "ports" mappings (host:container or ip:host:container). */
    private static Set<Integer> publishedContainerPorts(String name) {
        Set<Integer> ports = new LinkedHashSet<>();
        Object raw = service(name).get("ports");
        if (raw instanceof List<?> l) {
            for (Object mapping : l) {
                String[] parts = String.valueOf(mapping).split("/")[0].split(":");
                ports.add(Integer.parseInt(parts[parts.length - 1]));
            }
        }
        return ports;
    }

    /** Ports a service listens on inside the network: ours from the configuration, Kafka from its listeners, others from their mappings. */
    private static Set<Integer> listeningPorts(String name) {
        Set<Integer> ports = new LinkedHashSet<>();
        Map<String, String> env = environment(name);
        if (ourServices().contains(name)) {
            String profile = env.getOrDefault("QUARKUS_PROFILE", "prod");
            ports.add(Integer.parseInt(config.resolve("quarkus.http.port", profile, env).orElse("8080")));
            return ports;
        }
        if (env.containsKey("KAFKA_LISTENERS")) {
            Matcher m = Pattern.compile(":(\\d+)").matcher(env.get("KAFKA_LISTENERS"));
            while (m.find()) {
                ports.add(Integer.parseInt(m.group(1)));
            }
        }
        ports.addAll(publishedContainerPorts(name));
        return ports;
    }
}
