package io.firehosebridge.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Brings up the local stack (Kafka, OpenSearch, S3Proxy) by running the project's own launcher,
 * {@code deploy/local/stack}, so that dev mode, tests and people all use the same one.
 * Dev and test only: production never starts infrastructure.
 */
public final class LocalStack {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);
    private static final String LAUNCHER = "deploy/local/stack";

    private LocalStack() {
    }

    /** Starts every part that is not running yet and waits until all are healthy. */
    public static void up() {
        run("up", 300);
    }

    /** Stops the parts this launcher started. */
    public static void down() {
        run("down", 120);
    }

    /** Finds the launcher by walking up from the working directory (dev mode runs in the project or target/). */
    static Path launcher() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(LAUNCHER);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("Cannot find " + LAUNCHER + " above " + Paths.get("").toAbsolutePath()
                + "; start the stack by hand or run from the project directory");
    }

    private static void run(String command, long timeoutSeconds) {
        Path launcher = launcher();
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), command));
        try {
            Process process = new ProcessBuilder(cmd)
                    .directory(launcher.getParent().getParent().getParent().toFile())
                    .redirectErrorStream(true)
                    .start();
            byte[] output;
            try (var in = process.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(LAUNCHER + " " + command + " did not finish within " + timeoutSeconds + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(LAUNCHER + " " + command + " failed:\n" + text);
            }
            LOG.infof("%s %s:%n%s", LAUNCHER, command, text);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + launcher, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + launcher, e);
        }
    }
}
