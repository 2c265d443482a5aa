package io.firehosebridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The JVM the bridge runs on in Kubernetes, for the processes of the benchmark and the fault suite: the command line the JVM
 * image's start script builds from the bridge container's environment in deploy/k8s/base (over the image's own, from
 * Dockerfile.jvm), and glibc's malloc arenas capped as there. Both are read from those files, so a bench run and a pod cannot
 * drift apart; {@code DeployedJvmCommandLineTest} starts a JVM with the command line of every container of both overlays.
 * Memory measured on a JVM with other settings (a larger heap, another collector) says little about a pod.
 */
public final class DeployedJvm {

    static final Path MANIFEST = Path.of("deploy", "k8s", "base", "deployment.yaml");
    static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
    static final String CONTAINER = "bridge";

    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(?:\"([^\"]*)\"|(\\S*))");
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi)?");

    private DeployedJvm() {
    }

    /**
     * The bridge pod's JVM options as its start script orders them, after {@code -XX:MaxRAM=} set to the container's memory
     * limit. Outside a container that flag is what makes the JVM size the heap from the limit (the maximum as
     * {@code JAVA_MAX_MEM_RATIO} percent of it, the initial heap as {@code -XX:InitialRAMPercentage} says, a 64th of it
     * without) instead of from the machine's memory.
     */
    public static List<String> options() {
        Map<String, Object> container = baseContainer();
        Map<String, String> env = imageEnvironment(DOCKERFILE);
        env.putAll(literalEnvironment(container));
        List<String> options = new ArrayList<>();
        options.add(maxRam(memoryLimit(container)));
        options.addAll(startScriptOptions(env));
        return options;
    }

    /** The environment the JVM sees: glibc's malloc arenas capped as in the deployment. */
    public static Map<String, String> environment() {
        String arenas = literalEnvironment(baseContainer()).get("MALLOC_ARENA_MAX");
        if (arenas == null) {
            throw new IllegalStateException(MANIFEST + " sets no MALLOC_ARENA_MAX for container " + CONTAINER);
        }
        return Map.of("MALLOC_ARENA_MAX", arenas);
    }

    /** A bridge process with the deployment's JVM settings. */
    public static ServiceProcess bridge(String name, int httpPort, Map<String, String> properties) {
        return new ServiceProcess(name, httpPort, properties, options()).withEnvironment(environment());
    }

    /**
     * The JVM options the start script of the image Dockerfile.jvm builds on ({@code ubi9/openjdk-17-runtime}) puts before
     * {@code -cp ... -jar} for the environment {@code env}, in its order. Modelled on the image's public sources,
     * github.com/rh-openjdk/redhat-openjdk-containers, branch ubi9 (read at image version 1.21; both files unchanged there since
     * May 2024 and the same on branch ubi10): {@code modules/run/artifacts/opt/jboss/container/java/run/run-java.sh} and the
     * {@code java-default-options} it calls, {@code modules/jvm/artifacts/opt/jboss/container/java/jvm/java-default-options}.
     * <ul>
     * <li>{@code JAVA_OPTS}, when set at all (even empty), is the whole list: nothing is generated and nothing appended.</li>
     * <li>Otherwise, in this order: debug and proxy options (not modelled: refused here); the heap limit
     * {@code -XX:MaxRAMPercentage=} from {@code JAVA_MAX_MEM_RATIO} (rounded to a whole number, 80 when unset or empty, no
     * option for "0"); the collector, {@code GC_CONTAINER_OPTIONS} or {@code -XX:+UseParallelGC} when that is unset or empty;
     * {@code -XX:MinHeapFreeRatio}, {@code MaxHeapFreeRatio}, {@code GCTimeRatio} and {@code AdaptiveSizePolicyWeight} from
     * {@code GC_MIN_HEAP_FREE_RATIO} (10), {@code GC_MAX_HEAP_FREE_RATIO} (20), {@code GC_TIME_RATIO} (4) and
     * {@code GC_ADAPTIVE_SIZE_POLICY_WEIGHT} (90); {@code -XX:MaxMetaspaceSize} and {@code -XX:MetaspaceSize} only when
     * {@code GC_MAX_METASPACE_SIZE} or {@code GC_METASPACE_SIZE} is given (MiB, the initial size clamped to the maximum);
     * diagnostics (not modelled: {@code JAVA_DIAGNOSTICS} is refused); {@code -XX:+ExitOnOutOfMemoryError}; and last
     * {@code JAVA_OPTS_APPEND}.</li>
     * <li>The script expands the result unquoted, so it reaches {@code java} split at white space; quotes are not honoured.</li>
     * </ul>
     * So a collector in {@code JAVA_OPTS_APPEND} comes on top of the script's own, and a {@code JAVA_OPTS_APPEND} set by a
     * deployment replaces the image's value instead of adding to it.
     */
    public static List<String> startScriptOptions(Map<String, String> env) {
        if (env.containsKey("JAVA_OPTS")) {
            return words(env.get("JAVA_OPTS"));
        }
        for (String unmodelled : List.of("JAVA_DEBUG", "JAVA_DIAGNOSTICS", "http_proxy", "https_proxy", "no_proxy")) {
            if (!orEmpty(env, unmodelled).isEmpty()) {
                throw new IllegalArgumentException(unmodelled + " adds options this model of run-java.sh does not produce");
            }
        }
        List<String> options = new ArrayList<>();
        String ratio = orEmpty(env, "JAVA_MAX_MEM_RATIO");
        if (!ratio.equals("0")) {
            // printf "%.0f": glibc rounds half to even.
            String percent = ratio.isEmpty() ? "80" : new BigDecimal(ratio.trim()).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
            options.add("-XX:MaxRAMPercentage=" + percent + ".0");
        }
        options.addAll(words(orDefault(env, "GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC")));
        options.add("-XX:MinHeapFreeRatio=" + orDefault(env, "GC_MIN_HEAP_FREE_RATIO", "10"));
        options.add("-XX:MaxHeapFreeRatio=" + orDefault(env, "GC_MAX_HEAP_FREE_RATIO", "20"));
        options.add("-XX:GCTimeRatio=" + orDefault(env, "GC_TIME_RATIO", "4"));
        options.add("-XX:AdaptiveSizePolicyWeight=" + orDefault(env, "GC_ADAPTIVE_SIZE_POLICY_WEIGHT", "90"));
        String maxMetaspace = orEmpty(env, "GC_MAX_METASPACE_SIZE");
        if (!maxMetaspace.isEmpty()) {
            options.add("-XX:MaxMetaspaceSize=" + maxMetaspace + "m");
        }
        String metaspace = orEmpty(env, "GC_METASPACE_SIZE");
        if (!metaspace.isEmpty()) {
            if (!maxMetaspace.isEmpty() && Long.parseLong(metaspace) > Long.parseLong(maxMetaspace)) {
                metaspace = maxMetaspace;
            }
            options.add("-XX:MetaspaceSize=" + metaspace + "m");
        }
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.addAll(words(orEmpty(env, "JAVA_OPTS_APPEND")));
        return options;
    }

    /**
     * The variables a Dockerfile's {@code ENV} lines set ({@code NAME=value} or {@code NAME="value"}, several to a line; no line
     * continuations), which a container's own environment overrides name by name.
     */
    public static Map<String, String> imageEnvironment(Path dockerfile) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
                if (!line.startsWith("ENV ")) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    throw new IllegalStateException(dockerfile + ": ENV continued on the next line is not read here: " + line);
                }
                Matcher m = ENV_PAIR.matcher(line.substring("ENV ".length()));
                while (m.find()) {
                    env.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return env;
    }

    /** A Kubernetes memory quantity in bytes: a whole number with no suffix or Ki, Mi, Gi. */
    public static long memoryBytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory quantity not read here: " + quantity);
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    /** The option that makes a JVM outside a container size its heap as one with this memory limit would. */
    public static String maxRam(long bytes) {
        return "-XX:MaxRAM=" + bytes;
    }

    private static List<String> words(String value) {
        String trimmed = value.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static String orEmpty(Map<String, String> env, String name) {
        return env.getOrDefault(name, "");
    }

    /** {@code ${NAME:-default}}: the default when the variable is unset or empty. */
    private static String orDefault(Map<String, String> env, String name, String fallback) {
        String value = orEmpty(env, name);
        return value.isEmpty() ? fallback : value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> baseContainer() {
        Map<String, Object> deployment;
        try {
            deployment = new Yaml(new LoaderOptions()).load(Files.readString(MANIFEST, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec")).get("template"))
                .get("spec");
        for (Map<String, Object> container : (List<Map<String, Object>>) pod.get("containers")) {
            if (CONTAINER.equals(container.get("name"))) {
                return container;
            }
        }
        throw new IllegalStateException(MANIFEST + " has no container " + CONTAINER);
    }

    /** The container's variables with a literal value (those from Secrets are no JVM settings). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> literalEnvironment(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
            if (variable.containsKey("value")) {
                env.put(String.valueOf(variable.get("name")), String.valueOf(variable.get("value")));
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private static long memoryLimit(Map<String, Object> container) {
        Map<String, Object> resources = (Map<String, Object>) container.getOrDefault("resources", Map.of());
        Object limit = ((Map<String, Object>) resources.getOrDefault("limits", Map.of())).get("memory");
        if (limit == null) {
            throw new IllegalStateException(MANIFEST + ": container " + CONTAINER + " has no memory limit");
        }
        return memoryBytes(String.valueOf(limit));
    }
}
