package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Grafana dashboard parses and queries only meters the service (or, in development, the local Firehose) registers. */
class GrafanaDashboardTest {

    private static final Pattern METER = Pattern.compile("builder\\(\"((?:bridge|localfirehose)\\.[a-z_.]+)\"");
    private static final Pattern COUNTER_HELPER = Pattern.compile("counter\\(\"(localfirehose\\.[a-z_.]+)\"");
    private static final Pattern QUERIED = Pattern.compile("\\b((?:bridge|localfirehose)_[a-z_]+)");
    private static final List<String> SUFFIXES = List.of("_total", "_count", "_sum", "_max", "_seconds", "_bytes");

    @Test
    void queriesOnlyRegisteredMeters() throws IOException {
        Path project = ConfigMappings.projectDirectory();
        JsonNode dashboard = new ObjectMapper().readTree(project.resolve("deploy/grafana/kafka-firehose-bridge.json").toFile());
        assertThat(dashboard.path("panels").size()).isGreaterThan(5);

        Set<String> meters = new TreeSet<>();
        for (String source : List.of("src/main/java/io/firehosebridge/delivery/observe/DeliveryMetrics.java",
                "deploy/local/firehose/src/main/java/io/firehosebridge/localfirehose/stream/StreamMetrics.java")) {
            String code = Files.readString(project.resolve(source));
            for (Pattern p : List.of(METER, COUNTER_HELPER)) {
                Matcher m = p.matcher(code);
                while (m.find()) {
                    meters.add(m.group(1).replace('.', '_'));
                }
            }
        }
        assertThat(meters).contains("bridge_records_delivered", "bridge_inflight");

        List<String> unknown = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = QUERIED.matcher(target.path("expr").asText());
                while (m.find()) {
                    if (!registered(m.group(1), meters)) {
                        unknown.add(panel.path("title").asText() + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(unknown).as("queried metrics no meter produces").isEmpty();
    }

    /** Whether a Prometheus series name comes from a meter, once Micrometer's unit and type suffixes are taken off. */
    private static boolean registered(String series, Set<String> meters) {
        if (meters.contains(series)) {
            return true;
        }
        for (String suffix : SUFFIXES) {
            if (series.endsWith(suffix) && registered(series.substring(0, series.length() - suffix.length()), meters)) {
                return true;
            }
        }
        return false;
    }
}
