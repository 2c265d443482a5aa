package io.firehosebridge.operations;

import static io.firehosebridge.operations.DeploymentManifestsTest.list;
import static io.firehosebridge.operations.DeploymentManifestsTest.map;
import static io.firehosebridge.operations.DeploymentManifestsTest.name;
import static io.firehosebridge.operations.DeploymentManifestsTest.ofKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.firehosebridge.testing.DeployedJvm;

/**
 * The JVM each container running the service's JVM image really gets: its environment (the image's {@code ENV} from
 * Dockerfile.jvm, then the container's own from the rendered overlay or docker-compose.yml) turned into options the way the
 * image's start script does ({@link DeployedJvm#startScriptOptions}), and a JVM started with them. There is no container here:
 * the container's memory limit reaches the JVM as {@code -XX:MaxRAM}, and the JVM is the one running the tests.
 */
class DeployedJvmCommandLineTest {

    private static final String IMAGE = "kafka-firehose-bridge";
    private static final String HTTP_HOST = "-Dquarkus.http.host=0.0.0.0";
    private static final String LOG_MANAGER = "-Djava.util.logging.manager=org.jboss.logmanager.LogManager";
    /** The flags that select a collector in JDK 17 (UseMaximumCompactionOnSystemGC, say, does not). */
    private static final String COLLECTORS = "Use(?:Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC";
    private static final Pattern COLLECTOR_OPTION = Pattern.compile("-XX:\\+" + COLLECTORS);
    private static final Pattern SELECTED_COLLECTOR = Pattern.compile("(?m)^\\s*bool\\s+(" + COLLECTORS + ")\\s*=\\s*true\\b");
    private static final Pattern MAX_HEAP = Pattern.compile("(?m)^\\s*size_t\\s+MaxHeapSize\\s*=\\s*(\\d+)");
    private static final Pattern HEAP_PERCENT = Pattern.compile("-XX:MaxRAMPercentage=([\\d.]+)");
    private static final Pattern INITIAL_HEAP_PERCENT = Pattern.compile("-XX:InitialRAMPercentage=([\\d.]+)");
    private static final Pattern INITIAL_HEAP = Pattern.compile("(?m)^\\s*size_t\\s+InitialHeapSize\\s*=\\s*(\\d+)");
    private static final long MIB = 1L << 20;

    /** The base Deployment's JVM environment before issue 28: the collector in JAVA_OPTS_APPEND, which also lost the image's value. */
    private static final Map<String, String> FORMER_BASE_ENV = Map.of(
            "JAVA_MAX_MEM_RATIO", "31",
            "JAVA_OPTS_APPEND", "-XX:+UseSerialGC -XX:NewRatio=1 -XX:SurvivorRatio=3 -XX:ReservedCodeCacheSize=64m"
                    + " -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1");

    private static Map<String, String> image;

    @BeforeAll
    static void readImage() {
        image = DeployedJvm.imageEnvironment(ConfigMappings.projectDirectory().resolve("src/main/docker/Dockerfile.jvm"));
    }

    @Test
    void imageSetsQuarkusHostAndLogManager() {
        assertThat(DeployedJvm.startScriptOptions(image)).contains(HTTP_HOST, LOG_MANAGER);
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void everyJvmContainerOfTheOverlayStartsWithOneCollector(String overlay) throws Exception {
        List<Map<String, Object>> objects = DeploymentManifestsTest.render(overlay);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map<String, Object> deployment : ofKind(objects, "Deployment")) {
            for (Map<String, Object> container : list(map(deployment, "spec", "template", "spec"), "containers")) {
                if (!runsTheImage(String.valueOf(container.get("image")))) {
                    continue;
                }
                String where = overlay + ": " + name(deployment) + "/" + container.get("name");
                Object limit = map(container, "resources", "limits").get("memory");
                problems.addAll(problems(where, withImage(DeploymentManifestsTest.environment(objects, container, where, problems)),
                        limit == null ? OptionalLong.empty() : OptionalLong.of(DeployedJvm.memoryBytes(String.valueOf(limit)))));
                checked++;
            }
        }
        assertThat(checked).as("containers running %s in overlay %s", IMAGE, overlay).isPositive();
        assertThat(problems).isEmpty();
    }

    @Test
    void everyComposeServiceOfTheImageStartsWithOneCollector() throws Exception {
        DockerComposeTest.load();
        List<String> problems = new ArrayList<>();
        for (String service : DockerComposeTest.ourServices()) {
            problems.addAll(problems("docker-compose " + service, withImage(DockerComposeTest.environment(service)), OptionalLong.empty()));
        }
        assertThat(DockerComposeTest.ourServices()).isNotEmpty();
        assertThat(problems).isEmpty();
    }

    /** The check fails where it must: the base Deployment as it was started no JVM and dropped the image's settings. */
    @Test
    void formerBaseEnvironmentIsRefused() throws Exception {
        Map<String, String> env = withImage(FORMER_BASE_ENV);
        assertThat(collectorOptions(DeployedJvm.startScriptOptions(env))).containsExactly("-XX:+UseParallelGC", "-XX:+UseSerialGC");

        List<String> problems = problems("former base", env, OptionalLong.of(512 * MIB));
        assertThat(problems).anyMatch(p -> p.contains("2 collectors"))
                .anyMatch(p -> p.contains("Multiple garbage collectors selected"))
                .anyMatch(p -> p.contains(HTTP_HOST + " is lost"))
                .anyMatch(p -> p.contains(LOG_MANAGER + " is lost"));
    }

    /** The benchmark and the fault suite run the bridge with exactly what the bridge's pod gets, in either overlay. */
    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void benchmarkRunsTheBridgePodsCommandLine(String overlay) throws Exception {
        List<Map<String, Object>> objects = DeploymentManifestsTest.render(overlay);
        Map<String, Object> bridge = ofKind(objects, "Deployment").stream().filter(d -> name(d).equals(IMAGE))
                .flatMap(d -> list(map(d, "spec", "template", "spec"), "containers").stream())
                .filter(c -> "bridge".equals(c.get("name"))).findFirst().orElseThrow();
        List<String> problems = new ArrayList<>();
        List<String> pod = new ArrayList<>();
        pod.add(DeployedJvm.maxRam(DeployedJvm.memoryBytes(String.valueOf(map(bridge, "resources", "limits").get("memory")))));
        pod.addAll(DeployedJvm.startScriptOptions(withImage(DeploymentManifestsTest.environment(objects, bridge, overlay, problems))));
        assertThat(problems).isEmpty();
        assertThat(DeployedJvm.options()).isEqualTo(pod);
        assertThat(DeployedJvm.options()).contains("-XX:+UseSerialGC", HTTP_HOST, LOG_MANAGER);
        // The heap starts at its maximum and never shrinks (the script's own ratios start it at a 64th of the limit and
        // shrink it): the initial share is the maximum's, whatever JAVA_MAX_MEM_RATIO is changed to.
        Matcher max = HEAP_PERCENT.matcher(String.join(" ", pod));
        Matcher initial = INITIAL_HEAP_PERCENT.matcher(String.join(" ", pod));
        assertThat(max.find() && initial.find()).as("both heap shares in %s", pod).isTrue();
        assertThat(Double.parseDouble(initial.group(1))).as("-XX:InitialRAMPercentage against JAVA_MAX_MEM_RATIO")
                .isEqualTo(Double.parseDouble(max.group(1)));
        assertThat(pod).contains("-XX:MaxHeapFreeRatio=100");
    }

    /** The model's rules, each as the image's java-default-options and run-java.sh apply it. */
    @Test
    void startScriptRules() {
        assertThat(DeployedJvm.startScriptOptions(Map.of())).containsExactly("-XX:MaxRAMPercentage=80.0", "-XX:+UseParallelGC",
                "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90",
                "-XX:+ExitOnOutOfMemoryError");
        assertThat(DeployedJvm.startScriptOptions(Map.of("JAVA_OPTS", "-Xmx64m", "JAVA_OPTS_APPEND", "-Da=b"))).containsExactly("-Xmx64m");
        assertThat(DeployedJvm.startScriptOptions(Map.of("JAVA_OPTS", ""))).isEmpty();
        assertThat(DeployedJvm.startScriptOptions(Map.of("JAVA_MAX_MEM_RATIO", "0"))).noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage"));
        assertThat(DeployedJvm.startScriptOptions(Map.of("JAVA_MAX_MEM_RATIO", "30.5"))).contains("-XX:MaxRAMPercentage=30.0");
        assertThat(DeployedJvm.startScriptOptions(Map.of("GC_CONTAINER_OPTIONS", "", "GC_MAX_HEAP_FREE_RATIO", "40")))
                .contains("-XX:+UseParallelGC", "-XX:MaxHeapFreeRatio=40");
        assertThat(DeployedJvm.startScriptOptions(Map.of("GC_METASPACE_SIZE", "200", "GC_MAX_METASPACE_SIZE", "100")))
                .containsSubsequence("-XX:MaxMetaspaceSize=100m", "-XX:MetaspaceSize=100m");
        assertThat(DeployedJvm.startScriptOptions(Map.of("JAVA_OPTS_APPEND", "  -Da=b   -Dc=d "))).endsWith("-XX:+ExitOnOutOfMemoryError", "-Da=b", "-Dc=d");
        assertThatThrownBy(() -> DeployedJvm.startScriptOptions(Map.of("JAVA_DEBUG", "true"))).hasMessageContaining("JAVA_DEBUG");
    }

    /**
     * Why the JVM {@code env} gives would not run the service as intended, or nothing: the options name at most one collector,
     * keep the image's Quarkus settings, and a JVM started with them runs with exactly one collector, those system properties,
     * and (given the memory limit) the heap {@code JAVA_MAX_MEM_RATIO} percent of it, starting at the share
     * {@code -XX:InitialRAMPercentage} gives when the options have one.
     */
    private static List<String> problems(String where, Map<String, String> env, OptionalLong memoryLimit) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        List<String> options = DeployedJvm.startScriptOptions(env);
        List<String> named = collectorOptions(options);
        if (named.size() > 1) {
            problems.add(where + ": the start script's options name " + named.size() + " collectors " + named);
        }
        for (String kept : List.of(HTTP_HOST, LOG_MANAGER)) {
            if (!options.contains(kept)) {
                problems.add(where + ": the image's " + kept + " is lost (JAVA_OPTS_APPEND=" + env.get("JAVA_OPTS_APPEND") + ")");
            }
        }

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        memoryLimit.ifPresent(bytes -> command.add(DeployedJvm.maxRam(bytes)));
        command.addAll(options);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-XshowSettings:properties", "-version"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jvm.waitFor(60, TimeUnit.SECONDS)) {
            jvm.destroyForcibly();
            problems.add(where + ": java -version did not end within 60 s");
            return problems;
        }
        if (jvm.exitValue() != 0) {
            problems.add(where + ": the JVM did not start (exit " + jvm.exitValue() + "): " + out.strip() + "; options " + options);
            return problems;
        }
        List<String> selected = SELECTED_COLLECTOR.matcher(out).results().map(m -> m.group(1)).toList();
        if (selected.size() != 1) {
            problems.add(where + ": the JVM runs with collectors " + selected + ", not exactly one");
        } else if (named.size() == 1 && !named.get(0).equals("-XX:+" + selected.get(0))) {
            problems.add(where + ": the options name " + named.get(0) + " but the JVM runs " + selected.get(0));
        }
        for (String property : List.of("quarkus.http.host = 0.0.0.0", "java.util.logging.manager = org.jboss.logmanager.LogManager")) {
            if (!out.contains(property)) {
                problems.add(where + ": the JVM has no system property " + property);
            }
        }
        memoryLimit.ifPresent(limit -> {
            heapProblem(where + ": the heap is ", HEAP_PERCENT, MAX_HEAP, options, out, limit).ifPresent(problems::add);
            heapProblem(where + ": the heap starts at ", INITIAL_HEAP_PERCENT, INITIAL_HEAP, options, out, limit).ifPresent(problems::add);
        });
        return problems;
    }

    /**
     * A heap size the started JVM reports ({@code size}, from -XX:+PrintFlagsFinal) that is not the share of {@code limit} the
     * options give ({@code percent}), within 4 MiB; nothing when the options give no such share.
     */
    private static Optional<String> heapProblem(String what, Pattern percent, Pattern size, List<String> options, String out,
            long limit) {
        Matcher given = percent.matcher(String.join(" ", options));
        Matcher reported = size.matcher(out);
        if (!given.find() || !reported.find()) {
            return Optional.empty();
        }
        long expected = (long) (limit * Double.parseDouble(given.group(1)) / 100);
        long actual = Long.parseLong(reported.group(1));
        return Math.abs(actual - expected) <= 4 * MIB ? Optional.empty()
                : Optional.of(what + actual / MIB + " MiB, not " + given.group(1) + "% of the limit (" + expected / MIB + " MiB)");
    }

    private static List<String> collectorOptions(List<String> options) {
        return options.stream().filter(o -> COLLECTOR_OPTION.matcher(o).matches()).toList();
    }

    /** The image's environment with the container's over it, as the container sees it. */
    private static Map<String, String> withImage(Map<String, String> container) {
        Map<String, String> env = new LinkedHashMap<>(image);
        env.putAll(container);
        return env;
    }

    /** Whether an image reference (after kustomize's rewrite, e.g. registry.example.com/data/kafka-firehose-bridge:0.1.0) is the service's. */
    private static boolean runsTheImage(String reference) {
        String last = reference.substring(reference.lastIndexOf('/') + 1);
        return last.equals(IMAGE) || last.startsWith(IMAGE + ":") || last.startsWith(IMAGE + "@");
    }
}
