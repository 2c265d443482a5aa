package io.firehosebridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM settings the bridge runs with in Kubernetes, for the processes of the benchmark and the fault suite: a 160 MiB
 * heap (what {@code JAVA_MAX_MEM_RATIO=31} gives of the 512 MiB limit), metaspace and direct memory capped, and the
 * deployment's own {@code JAVA_OPTS_APPEND} and {@code MALLOC_ARENA_MAX}, read from deploy/k8s so they cannot drift apart.
 * Memory measured on a JVM with other settings (a larger heap, another collector) says little about a pod.
 */
public final class DeployedJvm {

    static final Path MANIFEST = Path.of("deploy", "k8s", "base", "deployment.yaml");

    private DeployedJvm() {
    }

    /** The JVM options, heap and native limits first. */
    public static List<String> options() {
        List<String> options = new ArrayList<>(List.of("-Xmx160m", "-XX:MaxMetaspaceSize=128m", "-XX:MaxDirectMemorySize=64m"));
        options.addAll(List.of(value(MANIFEST, "JAVA_OPTS_APPEND").split("\\s+")));
        return options;
    }

    /** The environment the JVM sees: glibc's malloc arenas capped as in the deployment. */
    public static Map<String, String> environment() {
        return Map.of("MALLOC_ARENA_MAX", value(MANIFEST, "MALLOC_ARENA_MAX"));
    }

    /** A bridge process with the deployment's JVM settings. */
    public static ServiceProcess bridge(String name, int httpPort, Map<String, String> properties) {
        return new ServiceProcess(name, httpPort, properties, options()).withEnvironment(environment());
    }

    /** The literal value of an environment variable in a Kubernetes manifest ({@code - name:} then a quoted {@code value:} line). */
    static String value(Path manifest, String variable) {
        try {
            List<String> lines = Files.readAllLines(manifest);
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).trim().equals("- name: " + variable)) {
                    String value = lines.get(i + 1).trim();
                    if (!value.startsWith("value: \"") || !value.endsWith("\"")) {
                        throw new IllegalStateException(manifest + ": " + variable + "'s value is not one quoted line: " + value);
                    }
                    return value.substring("value: \"".length(), value.length() - 1).trim();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(manifest + " sets no " + variable);
    }
}
