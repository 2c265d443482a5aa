package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import io.firehosebridge.testing.IamKafka;
import io.firehosebridge.testing.IamKafka.Credentials;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The packaged service against the local IAM broker with logins that broker refuses: a wrong secret (in a credentials
 * file), an access key it does not know, temporary credentials that expired, and a clock 10 minutes off (the broker's
 * listener whose clock runs behind). Each is not ready, logs one line naming the cause, and consumes and commits nothing.
 * The wrong secret is then corrected in the credentials file, as a rotation would, and that service recovers by itself.
 * The four services run side by side to keep the wait short.
 */
@EndToEnd
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamKafkaFailuresIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = "iamfail-" + Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 6);
    private static final List<String> CASES = List.of("rotated", "unknown", "expired", "skewed");
    private static final int RECORDS = 300;

    private IamKafka kafka;
    private final Map<String, ServiceProcess> services = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private final Map<String, List<Span>> spans = new HashMap<>();
    private Path credentialsFile;

    @BeforeAll
    void startFourServices() throws Exception {
        LocalStackResource.ensureStarted();
        kafka = IamKafka.local();
        try (Admin admin = plaintextAdmin()) {
            Topics.create(admin, CASES.stream().map(c -> new NewTopic(topic(c), 2, (short) 1)).toList());
        }
        try (ClickProducer producer = new ClickProducer(kafka.plaintextBootstrapServers())) {
            for (String c : CASES) {
                spans.put(c, producer.clicks(topic(c), RECORDS));
            }
        }
        // The long-term key with a wrong secret, from a credentials file (the profile provider of the default chain).
        credentialsFile = Path.of("target", "iam-credentials-" + RUN).toAbsolutePath();
        writeCredentials(kafka.longTerm().withSecret("wrong-" + UUID.randomUUID()));
        start("rotated", kafka.bootstrapServers(), Map.of("AWS_SHARED_CREDENTIALS_FILE", credentialsFile.toString()));
        start("unknown", kafka.bootstrapServers(), new Credentials("AKIAUNKNOWNLOCALKEY1", "x".repeat(40), null).environment());
        start("expired", kafka.bootstrapServers(), kafka.expired().environment());
        start("skewed", kafka.skewedBootstrapServers(), kafka.temporary().environment());
    }

    @AfterAll
    void stopServices() throws Exception {
        for (ServiceProcess s : services.values()) {
            s.stop();
        }
        Files.deleteIfExists(credentialsFile);
    }

    @Test
    @Order(1)
    void eachRefusedLoginSaysWhyOnceAndNothingIsConsumedOrCommitted() throws Exception {
        Map<String, String> causes = Map.of("rotated", "The request signature we calculated does not match the signature you provided",
                "unknown", "access key AKIAUNKNOWNLOCALKEY1 is unknown", "expired", "The security token included in the request is expired",
                "skewed", "Signature not yet current");
        for (String c : CASES) {
            awaitKafkaCheck(c, "login rejected (SASL AWS_MSK_IAM, signed with the AWS credentials of the default chain");
            awaitKafkaCheck(c, causes.get(c));
        }
        // Every client keeps retrying meanwhile; readiness stays DOWN all along and the cause is still named once.
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    for (String c : CASES) {
                        if (readiness(c).statusCode() != 503) {
                            return false;
                        }
                    }
                    return true;
                });
        for (String c : CASES) {
            List<String> lines = log(c).lines().toList();
            assertThat(lines.stream().filter(l -> l.contains(causes.get(c))).toList()).as("log lines of %s naming the cause", c).hasSize(1);
            assertThat(lines.stream().filter(l -> l.contains(causes.get(c))).findFirst().orElseThrow())
                    .contains("AWS_ACCESS_KEY_ID").contains("kafka.sasl.jaas.config");
            assertThat(lines.stream().filter(l -> l.startsWith("\tat ")).toList()).as("stack trace lines of %s", c).isEmpty();
            assertThat(committed(c)).as("offsets committed by %s", c).isEmpty();
            assertThat(missingInSearch(c)).as("records of %s not in search", c).isEqualTo(RECORDS);
        }
    }

    @Test
    @Order(2)
    void aCorrectedCredentialsFileIsPickedUpWithoutARestart() throws Exception {
        writeCredentials(kafka.longTerm());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(readiness("rotated").statusCode()).isEqualTo(200));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(missingInSearch("rotated")).isZero();
            assertThat(committed("rotated").values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(RECORDS);
        });
        assertThat(log("rotated")).contains("answers again");
    }

    private void start(String name, String servers, Map<String, String> environment) throws Exception {
        Files.deleteIfExists(Path.of("target", "iam-" + name + ".log"));
        Map<String, String> properties = new HashMap<>(kafka.serviceSettings(servers));
        properties.put("quarkus.profile", "local");
        properties.put("mp.messaging.incoming.clicks.topic", topic(name));
        properties.put("mp.messaging.incoming.clicks.group.id", group(name));
        properties.put("mp.messaging.outgoing.dead-letters.topic", topic(name) + "-dlq");
        properties.put("bridge.reconcile.ledger.topic", topic(name) + "-ledger");
        properties.put("bridge.reconcile.jobs.topic", topic(name) + "-jobs");
        Map<String, String> env = new HashMap<>(environment);
        env.put("AWS_REGION", kafka.region());
        int port = FreePorts.next();
        ports.put(name, port);
        services.put(name, new ServiceProcess("iam-" + name, port, properties, List.of("-Xmx256m")).withEnvironment(env).start());
    }

    private void writeCredentials(Credentials c) throws IOException {
        Path next = Path.of(credentialsFile + ".next");
        Files.writeString(next, "[default]\naws_access_key_id = " + c.accessKeyId() + "\naws_secret_access_key = " + c.secretAccessKey() + "\n");
        Files.move(next, credentialsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void awaitKafkaCheck(String name, String error) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode kafkaCheck = null;
            for (JsonNode check : JSON.readTree(readiness(name).body()).path("checks")) {
                if (check.path("name").asText().equals("kafka")) {
                    kafkaCheck = check;
                }
            }
            assertThat(kafkaCheck).as("the kafka readiness check of %s", name).isNotNull();
            assertThat(kafkaCheck.path("status").asText()).isEqualTo("DOWN");
            assertThat(kafkaCheck.path("data").path("error").asText()).contains(error);
        });
    }

    private HttpResponse<String> readiness(String name) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(name) + "/q/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String log(String name) throws IOException {
        return Files.readString(Path.of("target", "iam-" + name + ".log"));
    }

    private Map<TopicPartition, OffsetAndMetadata> committed(String name) throws Exception {
        try (Admin admin = plaintextAdmin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(admin.listConsumerGroupOffsets(group(name))
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
            offsets.values().removeIf(java.util.Objects::isNull);
            return offsets;
        }
    }

    private long missingInSearch(String name) throws Exception {
        DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", topic(name));
        return spans.get(name).stream().mapToLong(s -> search.missing(s.partition(), s.from(), s.to())).sum();
    }

    private Admin plaintextAdmin() {
        return Admin.create(Map.of("bootstrap.servers", kafka.plaintextBootstrapServers()));
    }

    private static String topic(String name) {
        return "it-" + RUN + "-" + name;
    }

    private static String group(String name) {
        return "it-bridge-" + RUN + "-" + name;
    }
}
