package io.firehosebridge.testing;

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
 * Brings up the local stack (Kafka, OpenSearch, S3Proxy, the local Firehose) by running the project's own launcher,
 * {@code deploy/local/stack}, so that dev mode, tests and people all use the same one.
 */
public final class LocalStack {

    private static final Logger LOG = Logger.getLogger(LocalStack.class);
    private static final String LAUNCHER = "deploy/local/stack";

    private LocalStack() {
    }

    /**
     * Starts every part that is not running yet and waits until all are healthy; the first start may build the local
     * Firehose and fetch the others.
     */
    public static void up() {
        LOG.infof("%s up:%n%s", LAUNCHER, run("up", 600));
    }

    /** Stops the parts this launcher started. */
    public static void down() {
        LOG.infof("%s down:%n%s", LAUNCHER, run("down", 120));
    }

    /**
     * The local Firehose's runnable jar, built by the launcher (once per version of deploy/local/firehose's sources) if
     * its cache does not hold it yet.
     */
    public static Path firehoseJar() {
        run("fetch firehose", 600);
        String env = run("env", 60);
        return env.lines().filter(l -> l.startsWith("LOCAL_FIREHOSE_JAR=")).findFirst()
                .map(l -> Path.of(l.substring("LOCAL_FIREHOSE_JAR=".length())))
                .orElseThrow(() -> new IllegalStateException(LAUNCHER + " env names no LOCAL_FIREHOSE_JAR:\n" + env));
    }

    /**
     * Starts the identity provider (the stack's keycloak part, started only when named) if it is not running yet, and
     * returns the issuer of its realm "bridge" (deploy/local/keycloak/bridge-realm.json).
     */
    public static String keycloakIssuer() {
        LOG.infof("%s up keycloak:%n%s", LAUNCHER, run("up keycloak", 600));
        String env = run("env", 60);
        return env.lines().filter(l -> l.startsWith("KEYCLOAK_ISSUER=")).findFirst()
                .map(l -> l.substring("KEYCLOAK_ISSUER=".length()))
                .orElseThrow(() -> new IllegalStateException(LAUNCHER + " env names no KEYCLOAK_ISSUER:\n" + env));
    }

    /** What {@code deploy/local/stack env} prints, as name to value (e.g. {@code STS_ENDPOINT}, {@code AWS_ROLE_ARN}). */
    public static java.util.Map<String, String> env() {
        java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
        run("env", 60).lines().filter(l -> l.matches("[A-Z][A-Z0-9_]*=.*"))
                .forEach(l -> values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return values;
    }

    /** Finds the launcher by walking up from the working directory. */
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

    /** Runs the launcher with {@code command} (words separated by spaces) and returns what it printed. */
    private static String run(String command, long timeoutSeconds) {
        Path launcher = launcher();
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(command.split(" ")));
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
            LOG.debugf("%s %s:%n%s", LAUNCHER, command, text);
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + launcher, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + launcher, e);
        }
    }
}
