package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.SecuredKafka;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The packaged service against the secured listener with a login Kafka refuses, a broker certificate it does not
 * trust, and no broker at all: not ready, one log line naming the cause, nothing consumed or committed. A login
 * that starts to work (the user is created while the service runs) is picked up without a restart. The three
 * services run side by side to keep the wait short.
 */
@EndToEnd
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaFailuresIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = "secfail-" + Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 6);
    /** The services' HTTP ports: free ones of this run. (All three deliver to the stack's local Firehose.) */
    private static final int REFUSED = FreePorts.next();
    private static final int UNTRUSTED = FreePorts.next();
    private static final int UNREACHABLE = FreePorts.next();
    private static final String LATE_USER = "late-" + RUN;
    private static final String LATE_PASSWORD = "late-" + UUID.randomUUID();

    private SecuredKafka kafka;
    private ServiceProcess refused;
    private ServiceProcess untrusted;
    private ServiceProcess unreachable;
    private List<Span> refusedSpans;
    private List<Span> untrustedSpans;

    @BeforeAll
    void startThreeServices() throws Exception {
        kafka = SecuredKafka.local();
        try (Admin admin = plaintextAdmin()) {
            Topics.create(admin, List.of(new NewTopic(topic("refused"), 2, (short) 1), new NewTopic(topic("untrusted"), 2, (short) 1),
                    new NewTopic(topic("unreachable"), 1, (short) 1)));
        }
        try (ClickProducer producer = new ClickProducer()) {
            refusedSpans = producer.clicks(topic("refused"), 500);
            untrustedSpans = producer.clicks(topic("untrusted"), 500);
        }
        // The user this service logs in as does not exist yet: Kafka refuses the login until it is created.
        refused = service("refused", REFUSED, kafka.serviceSettings(LATE_USER, LATE_PASSWORD, true));
        // No truststore: the JVM's default one, which does not hold the stack's own CA.
        untrusted = service("untrusted", UNTRUSTED, kafka.serviceSettings(kafka.username(), kafka.password(), false));
        Map<String, String> nowhere = new HashMap<>(kafka.serviceSettings());
        // A loopback port nothing listens on: no broker at all.
        nowhere.put("kafka.bootstrap.servers", "127.0.0.1:" + FreePorts.next());
        unreachable = service("unreachable", UNREACHABLE, nowhere);
    }

    @AfterAll
    void stopServices() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] { refused, untrusted, unreachable }) {
            if (s != null) {
                s.stop();
            }
        }
    }

    @Test
    @Order(1)
    void refusedLoginUntrustedCertificateAndUnreachableBrokerEachSayWhyOnceAndCommitNothing() throws Exception {
        awaitKafkaCheck(REFUSED, "login rejected (SASL SCRAM-SHA-512");
        awaitKafkaCheck(UNTRUSTED, "TLS handshake failed");
        awaitKafkaCheck(UNREACHABLE, "no answer within");
        // While every client retries for ten seconds, each service stays not ready and names its cause once, not once per retry.
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(readiness(REFUSED).statusCode()).isEqualTo(503);
            assertThat(readiness(UNTRUSTED).statusCode()).isEqualTo(503);
            assertThat(readiness(UNREACHABLE).statusCode()).isEqualTo(503);
            assertOneLineNamesTheCause("refused", "invalid credentials");
            assertOneLineNamesTheCause("untrusted", "certification path");
            assertOneLineNamesTheCause("unreachable", "no answer within");
        });
        assertThat(log("unreachable")).doesNotContain("could not be established");

        assertThat(committed("refused")).isEmpty();
        assertThat(committed("untrusted")).isEmpty();
        assertThat(missingInSearch("refused", refusedSpans)).isEqualTo(500);
        assertThat(missingInSearch("untrusted", untrustedSpans)).isEqualTo(500);
    }

    @Test
    @Order(2)
    void aLoginThatStartsToWorkIsPickedUpWithoutARestart() throws Exception {
        awaitKafkaCheck(REFUSED, "login rejected");
        try (Admin admin = plaintextAdmin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(LATE_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), LATE_PASSWORD))).all().get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(readiness(REFUSED).statusCode()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(missingInSearch("refused", refusedSpans)).isZero();
            assertThat(committed("refused").values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(500);
        });
        assertThat(log("refused")).contains("answers again");
    }

    private ServiceProcess service(String name, int port, Map<String, String> kafkaSettings) throws Exception {
        Files.deleteIfExists(Path.of("target", "secured-" + name + ".log"));
        Map<String, String> properties = new HashMap<>(kafkaSettings);
        properties.put("quarkus.profile", "local");
        properties.put("mp.messaging.incoming.clicks.topic", topic(name));
        properties.put("mp.messaging.incoming.clicks.group.id", "it-bridge-" + RUN + "-" + name);
        properties.put("mp.messaging.outgoing.dead-letters.topic", topic(name) + "-dlq");
        properties.put("bridge.reconcile.ledger.topic", topic(name) + "-ledger");
        properties.put("bridge.reconcile.jobs.topic", topic(name) + "-jobs");
        return new ServiceProcess("secured-" + name, port, properties, List.of("-Xmx256m")).start();
    }

    private void awaitKafkaCheck(int port, String error) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode kafkaCheck = null;
            for (JsonNode check : JSON.readTree(readiness(port).body()).path("checks")) {
                if (check.path("name").asText().equals("kafka")) {
                    kafkaCheck = check;
                }
            }
            assertThat(kafkaCheck).as("the kafka readiness check").isNotNull();
            assertThat(kafkaCheck.path("status").asText()).isEqualTo("DOWN");
            assertThat(kafkaCheck.path("data").path("error").asText()).contains(error);
        });
    }

    private static void assertOneLineNamesTheCause(String name, String cause) throws Exception {
        List<String> lines = log(name).lines().toList();
        assertThat(lines.stream().filter(l -> l.contains(cause)).toList()).as("log lines of %s naming the cause", name).hasSize(1);
        assertThat(lines.stream().filter(l -> l.startsWith("\tat ")).toList()).as("stack trace lines of %s", name).isEmpty();
    }

    private static String log(String name) throws Exception {
        return Files.readString(Path.of("target", "secured-" + name + ".log"));
    }

    private static HttpResponse<String> readiness(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String name) throws Exception {
        try (Admin admin = plaintextAdmin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets("it-bridge-" + RUN + "-" + name)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
            offsets.values().removeIf(java.util.Objects::isNull);
            return offsets;
        }
    }

    private static long missingInSearch(String name, List<Span> spans) throws Exception {
        DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", topic(name));
        return spans.stream().mapToLong(s -> search.missing(s.partition(), s.from(), s.to())).sum();
    }

    private static String topic(String name) {
        return "it-" + RUN + "-" + name;
    }

    private static Admin plaintextAdmin() {
        return Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"));
    }
}
