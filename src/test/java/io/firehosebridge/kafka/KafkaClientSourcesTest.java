package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Second guard beside {@link KafkaClientsTest}: no product code builds a Kafka client itself or reads the
 * brokers' address to build one, so every client goes through {@link KafkaClients} and gets the shared
 * security settings.
 */
class KafkaClientSourcesTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern BUILDS_A_CLIENT = Pattern.compile(
            "new\\s+Kafka(Consumer|Producer)\\s*<|\\bAdmin(Client)?\\s*\\.\\s*create\\s*\\(|\"kafka\\.bootstrap\\.servers\"|\"bootstrap\\.servers\"");

    @Test
    void onlyKafkaClientsBuildsKafkaClients() {
        Set<String> offenders = new TreeSet<>(buildersOfClients());
        offenders.remove("io/firehosebridge/kafka/KafkaClients.java");
        assertThat(offenders).as("classes in src/main that build a Kafka client without KafkaClients").isEmpty();
    }

    @Test
    void theScanSeesKafkaClientsItself() {
        assertThat(buildersOfClients()).contains("io/firehosebridge/kafka/KafkaClients.java");
    }

    private static List<String> buildersOfClients() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (BUILDS_A_CLIENT.matcher(Files.readString(f)).find()) {
                    found.add(MAIN.relativize(f).toString().replace('\\', '/'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
