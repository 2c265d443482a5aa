package io.firehosebridge.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every setting of every {@code @ConfigMapping} interface, with the
 * environment variable that sets it and its real default. A setting added to a mapping without a
 * row here fails the build, and so does a row left behind for a setting that is gone.
 */
class ConfigurationDocsTest {

    /** A table row: {@code | `property` | `ENV_NAME` | default | description |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]*)\\|([^|]*)\\|(.*)\\|\\s*$");

    private static Map<String, String[]> rows;

    @BeforeAll
    static void readTable() throws IOException {
        rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ConfigMappings.projectDirectory().resolve("docs/configuration.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), new String[] { m.group(2).trim(), m.group(3).trim(), m.group(4).trim() });
            }
        }
    }

    @Test
    void findsTheMappingsOfEveryFeature() {
        assertThat(ConfigMappings.prefixes()).contains("bridge.delivery", "bridge.aws", "bridge.records", "bridge.reconcile")
                .as("the local Firehose is its own project (deploy/local/firehose)").doesNotContain("local-firehose");
    }

    @Test
    void documentsEverySettingOfEveryConfigMapping() {
        List<String> missing = ConfigMappings.settings().stream()
                .filter(s -> !rows.containsKey(s.name()))
                .map(s -> s.name() + " (" + s.mapping().getSimpleName() + ")")
                .toList();
        assertThat(missing).as("settings missing from the table in docs/configuration.md").isEmpty();
    }

    @Test
    void documentsTheRealDefaultAndEnvironmentName() {
        List<String> wrong = new ArrayList<>();
        for (ConfigMappings.Setting s : ConfigMappings.settings()) {
            String[] row = rows.get(s.name());
            if (row == null) {
                continue;
            }
            if (!s.name().contains("*") && !row[0].contains("`" + ConfigMappings.envName(s.name()) + "`")) {
                wrong.add(s.name() + ": environment column should name `" + ConfigMappings.envName(s.name()) + "`, has " + row[0]);
            }
            if (s.defaultValue() != null && !row[1].contains("`" + s.defaultValue() + "`")) {
                wrong.add(s.name() + ": default column should show `" + s.defaultValue() + "`, has " + row[1]);
            }
            if (s.optional() && !row[1].contains("unset")) {
                wrong.add(s.name() + ": optional, so the default column should say it is unset by default, has " + row[1]);
            }
            if (row[2].isBlank()) {
                wrong.add(s.name() + ": no description");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void listsNoSettingThatDoesNotExist() {
        ApplicationConfiguration config = ApplicationConfiguration.load();
        List<String> prefixes = ConfigMappings.prefixes();
        List<String> names = ConfigMappings.settings().stream().map(ConfigMappings.Setting::name).toList();
        List<String> stale = new ArrayList<>();
        for (String documented : rows.keySet()) {
            boolean mapped = prefixes.stream().anyMatch(p -> documented.startsWith(p + "."));
            if (mapped && !names.contains(documented)) {
                stale.add(documented + " (no such method in its @ConfigMapping)");
            }
            if (documented.startsWith("mp.messaging.") && !config.properties().containsKey(documented)) {
                stale.add(documented + " (not in application.properties)");
            }
        }
        assertThat(stale).as("rows in docs/configuration.md").isEmpty();
    }
}
