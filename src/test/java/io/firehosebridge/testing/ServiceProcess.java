package io.firehosebridge.testing;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}), or a local Firehose, run as a separate process, to be
 * killed for real.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int httpPort;
    private final List<String> command;
    private final Path log;
    private final Map<String, String> environment = new java.util.HashMap<>();
    private Process process;
    private boolean startedBefore;

    public ServiceProcess(String name, int httpPort, Map<String, String> properties) {
        this(name, httpPort, properties, List.of("-Xmx512m"));
    }

    /** With explicit JVM options (heap size, GC), as a deployment would set them. */
    public ServiceProcess(String name, int httpPort, Map<String, String> properties, List<String> jvmOptions) {
        this(name, httpPort, properties, jvmOptions, packagedService());
    }

    /**
     * A local Firehose of its own (the stack's runnable, deploy/local/firehose), for a test that injects faults, reads
     * the endpoint's metrics or must not share its buffers: the Firehose API on {@code local-firehose.port} of
     * {@code properties}, health and metrics on {@code httpPort}.
     */
    public static ServiceProcess localFirehose(String name, int httpPort, Map<String, String> properties) {
        return new ServiceProcess(name, httpPort, properties, List.of("-Xmx512m"), LocalStack.firehoseJar());
    }

    private static Path packagedService() {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first");
        }
        return jar;
    }

    private ServiceProcess(String name, int httpPort, Map<String, String> properties, List<String> jvmOptions, Path jar) {
        this.name = name;
        this.httpPort = httpPort;
        command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + httpPort);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        log = Path.of("target", name + ".log");
    }

    /** Adds environment variables for the process, as a deployment would set them (e.g. {@code MALLOC_ARENA_MAX}). */
    public ServiceProcess withEnvironment(Map<String, String> variables) {
        environment.putAll(variables);
        return this;
    }

    /** Adds settings (system properties) to those given at construction; a setting given twice takes the later value. */
    public ServiceProcess withSettings(Map<String, String> properties) {
        int jar = command.indexOf("-jar");
        List<String> added = new ArrayList<>();
        properties.forEach((k, v) -> added.add("-D" + k + "=" + v));
        command.addAll(jar, added);
        return this;
    }

    /** Runs the service on the JVM installed at {@code javaHome} instead of the one running the tests. */
    public ServiceProcess withJavaHome(Path javaHome) {
        command.set(0, javaHome.resolve("bin").resolve("java").toString());
        return this;
    }

    /** Starts the process and waits until it answers the liveness probe. */
    public ServiceProcess start() throws Exception {
        // A new log for this object's first start (an earlier run's lines would satisfy a test looking for a line), the same
        // log for a restart of it.
        File file = new File(log.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(startedBefore ? ProcessBuilder.Redirect.appendTo(file) : ProcessBuilder.Redirect.to(file));
        startedBefore = true;
        builder.environment().putAll(environment);
        process = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/live"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not become live within 60 s; see " + log.toAbsolutePath());
    }

    /** SIGKILL: no shutdown hooks, no draining, no commit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM and wait for the graceful shutdown; returns the exit code (-1 if it had to be killed, 0 if not running). */
    public int stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(40).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
