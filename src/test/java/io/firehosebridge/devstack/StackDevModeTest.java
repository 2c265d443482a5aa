package io.firehosebridge.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the build's hook (pom.xml, execution local-stack-for-dev-mode) asks of {@code deploy/local/stack dev-mode}: the stack
 * comes up, with the demo unless FHB_STACK_DEMO=false, only when Maven's command line asks for Quarkus dev mode; any
 * other build does nothing. Without the stack: the launcher's own dev_mode function runs with 'up' replaced by a stand-in
 * that prints what it was asked to start, and the whole launcher runs for builds that must not start anything.
 */
class StackDevModeTest {

    private static final Path LAUNCHER = Path.of("deploy/local/stack").toAbsolutePath();
    private static final String MAVEN = "org.codehaus.plexus.classworlds.launcher.Launcher -B ";

    @TempDir
    Path home;

    @Test
    void devModeBringsTheStackUpWithTheDemo() throws Exception {
        assertThat(devMode(MAVEN + "quarkus:dev -Ddebug=false", null)).isEqualTo("up kafka opensearch s3 firehose demo");
        assertThat(devMode(MAVEN + "compile quarkus:dev", null)).isEqualTo("up kafka opensearch s3 firehose demo");
        assertThat(devMode(MAVEN + "io.quarkus.platform:quarkus-maven-plugin:3.33.2:dev", null))
                .isEqualTo("up kafka opensearch s3 firehose demo");
    }

    @Test
    void devModeLeavesTheDemoOutWhenAsked() throws Exception {
        assertThat(devMode(MAVEN + "quarkus:dev", "false")).isEqualTo("up kafka opensearch s3 firehose");
    }

    @Test
    void otherBuildsStartNothing() throws Exception {
        for (String build : List.of("verify", "package -DskipTests", "verify -Pe2e", "install -Dquarkus.dev=true",
                "-Dmessage=quarkus:dev verify", "quarkus:build", "")) {
            assertThat(devMode(MAVEN + build, null)).as(build).isEmpty();
        }
    }

    @Test
    void theWholeLauncherDoesNothingForAnotherBuild() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "dev-mode", MAVEN + "verify").redirectErrorStream(true)
                .directory(LAUNCHER.getParent().getParent().getParent().toFile());
        builder.environment().put("FHB_STACK_HOME", home.toString());
        Process p = builder.start();
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEmpty();
        try (var made = Files.list(home)) {
            assertThat(made).as("what the launcher made in its home").isEmpty();
        }
    }

    /** The launcher's dev_mode function on this command line, 'up' and 'say' replaced: what it would start ("" for nothing). */
    private String devMode(String commandLine, String demo) throws Exception {
        String script = String.join("\n", "set -euo pipefail",
                "source <(sed -n '/^dev_mode() {$/,/^}$/p' \"$1\")",
                "declare -F dev_mode >/dev/null || { echo 'no dev_mode function in the launcher' >&2; exit 3; }",
                "ALL_PARTS=(kafka opensearch s3 firehose)",
                "say() { :; }",
                "up() { echo \"up $*\"; }",
                "dev_mode \"$2\"");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script, "stack-dev-mode-test", LAUNCHER.toString(), commandLine)
                .redirectErrorStream(true);
        builder.environment().remove("FHB_STACK_DEMO");
        if (demo != null) {
            builder.environment().put("FHB_STACK_DEMO", demo);
        }
        builder.environment().put("FHB_STACK_HOME", home.toString());
        Process p = builder.start();
        String out = finish(p);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theLauncherIsWhereTheBuildRunsIt() {
        assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER.toString()).isTrue();
    }
}
