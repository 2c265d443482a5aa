package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * The packaged service (what the images copy from {@code target/quarkus-app}) holds the bridge only: no local Firehose,
 * no demo producer, no dev-stack starter, and its images open no port 4573. Those live in deploy/local, beside the service.
 */
class ProductionPackageIT {

    private static final List<String> DEV_ONLY_PACKAGES = List.of("io/firehosebridge/localfirehose/", "io/firehosebridge/demo/",
            "io/firehosebridge/devstack/");

    @Test
    void packagedJarsHoldNoDevOnlyCode() throws IOException {
        Path app = ConfigMappings.projectDirectory().resolve("target/quarkus-app");
        assertThat(app.resolve("quarkus-run.jar")).as("run the package phase first").exists();
        List<Path> jars;
        try (Stream<Path> files = Files.walk(app)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        assertThat(jars).as("the service's own jar is packaged").anyMatch(p -> p.getFileName().toString().startsWith("kafka-firehose-bridge-"));
        assertThat(jars).as("jars of the local stack's parts").noneMatch(p -> p.getFileName().toString().contains("local-firehose"));

        List<String> found = new ArrayList<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(ZipEntry::getName)
                        .filter(name -> DEV_ONLY_PACKAGES.stream().anyMatch(name::startsWith) || name.contains("DemoProducer")
                                || name.contains("DevStackStarter"))
                        .forEach(name -> found.add(app.relativize(jar) + "!" + name));
            }
        }
        assertThat(found).as("dev-only classes in the packaged service").isEmpty();
    }

    @Test
    void packagedConfigurationRunsNoLocalEndpoint() throws IOException {
        Path jar;
        try (Stream<Path> files = Files.list(ConfigMappings.projectDirectory().resolve("target/quarkus-app/app"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kafka-firehose-bridge-")).findFirst().orElseThrow();
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            String properties = new String(zip.getInputStream(zip.getEntry("application.properties")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(properties).doesNotContain("local-firehose.").doesNotContain("bridge.demo.").doesNotContain("%firehose.");
        }
    }

    @Test
    void imagesExposeOnlyTheServicePort() throws IOException {
        try (Stream<Path> dockerfiles = Files.list(ConfigMappings.projectDirectory().resolve("src/main/docker"))) {
            for (Path dockerfile : dockerfiles.toList()) {
                List<String> exposed = Files.readAllLines(dockerfile).stream().filter(l -> l.startsWith("EXPOSE")).toList();
                assertThat(exposed).as(dockerfile.toString()).containsExactly("EXPOSE 8080");
            }
        }
    }
}
