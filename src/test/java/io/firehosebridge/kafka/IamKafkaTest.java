package io.firehosebridge.kafka;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.firehosebridge.delivery.settle.DeadLetterWriter;
import io.firehosebridge.reconcile.SearchAndBackup;
import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.IamKafka;
import io.firehosebridge.testing.IamKafkaProfile;
import io.firehosebridge.testing.IamKafkaResource;
import io.firehosebridge.testing.Jobs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.common.annotation.Identifier;

/**
 * The whole service against the local IAM broker's AWS_MSK_IAM listener only (SASL_SSL, Amazon's aws-msk-iam-auth login
 * with temporary credentials from the default chain, checked by the broker): delivery, dead letters, a synchronous
 * reconciliation, the ledger and its verifier, a job and a re-drive. That broker has no other listener the service knows
 * of, so a client that did not take the shared IAM settings could not reach it, and the part of the service it serves
 * would fail here.
 */
@QuarkusTest
@TestProfile(IamKafkaProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamKafkaTest {

    private static final Logger LOG = Logger.getLogger(IamKafkaTest.class);
    private static final String TOKEN = "test-reconcile-token";
    private static final String TOPIC = IamKafkaResource.TOPIC;

    @Inject
    Config config;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;

    private final IamKafka iam = IamKafka.local();
    private Instant start;
    private List<Span> spans;
    private final Map<Long, String> expectedDeadLetters = new HashMap<>();

    @BeforeAll
    void produce() throws Exception {
        start = Instant.now();
        List<byte[]> poison = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            poison.add(("click=" + i).getBytes(StandardCharsets.UTF_8));
        }
        try (ClickProducer producer = new ClickProducer(iam.plaintextBootstrapServers())) {
            for (long[] at : producer.sendEach(TOPIC, poison)) {
                expectedDeadLetters.put(DeliveredOffsets.key((int) at[0], at[1]), "not-json");
            }
            spans = producer.clicks(TOPIC, 2_000);
        }
    }

    @Test
    @Order(1)
    void reachesKafkaOnlyThroughTheIamListener() {
        assertThat(kafka).containsEntry("bootstrap.servers", iam.bootstrapServers()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
                .containsEntry("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;")
                .containsEntry("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
        List<String> other = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (name.endsWith("bootstrap.servers") || name.endsWith("security.protocol") || name.endsWith("sasl.mechanism")) {
                String value = config.getOptionalValue(name, String.class).orElse("");
                if (value.contains(":9092") || value.contains(iam.plaintextBootstrapServers()) || value.equals("PLAINTEXT")
                        || value.startsWith("SCRAM")) {
                    other.add(name + "=" + value);
                }
            }
        }
        assertThat(other).as("Kafka settings of the service that point anywhere but the IAM listener").isEmpty();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @Test
    @Order(2)
    void deliversEveryOffsetAndDeadLettersThePoison() throws Exception {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            DeliveredOffsets search = DeliveredOffsets.inSearch("clicks*", TOPIC);
            DeliveredOffsets backup = DeliveredOffsets.inBackup(SearchAndBackup.BUCKET, TOPIC, start);
            for (Span s : spans) {
                assertThat(search.missing(s.partition(), s.from(), s.to())).as("partition %d in search", s.partition()).isZero();
                assertThat(backup.missing(s.partition(), s.from(), s.to())).as("partition %d in backup", s.partition()).isZero();
            }
        });
        Map<Long, String> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", iam.plaintextBootstrapServers(),
                "group.id", "dlq-check-" + IamKafkaResource.RUN, "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(IamKafkaResource.DLQ_TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    assertThat(header(r, DeadLetterWriter.TOPIC)).isEqualTo(TOPIC);
                    seen.put(DeliveredOffsets.key(Integer.parseInt(header(r, DeadLetterWriter.PARTITION)),
                            Long.parseLong(header(r, DeadLetterWriter.OFFSET))), header(r, DeadLetterWriter.REASON));
                }
                return seen.size() >= expectedDeadLetters.size();
            });
        }
        assertThat(seen).isEqualTo(expectedDeadLetters);
    }

    @Test
    @Order(3)
    void reconcilesSynchronouslyAndTheVerifierConfirmsTheLedger() {
        for (Span s : spans) {
            JsonPath report = report(s).setRootPath("report");
            assertThat(report.getLong("expected")).isEqualTo(s.count());
            assertThat(report.getLong("search.present")).isEqualTo(s.count());
            assertThat(report.getLong("backup.present")).isEqualTo(s.count());
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (Span s : spans) {
                List<Map<String, Object>> entries = given().auth().oauth2(TOKEN).queryParam("topic", TOPIC).queryParam("partition", s.partition())
                        .get("/reconciliations/ledger").then().statusCode(200).extract().jsonPath().getList("entries");
                long confirmed = 0;
                for (Map<String, Object> e : entries) {
                    long first = ((Number) e.get("first")).longValue();
                    long last = ((Number) e.get("last")).longValue();
                    if ("CONFIRMED".equals(e.get("status")) && last >= s.from() && first < s.to()) {
                        confirmed += Math.min(last, s.to() - 1) - Math.max(first, s.from()) + 1;
                    }
                }
                assertThat(confirmed).as("offsets of partition %d confirmed by the ledger verifier", s.partition()).isEqualTo(s.count());
            }
        });
    }

    @Test
    @Order(4)
    void aJobOverEveryPartitionSucceeds() {
        Response started = given().auth().oauth2(TOKEN).contentType("application/json").body("{\"topic\":\"" + TOPIC + "\"}")
                .post("/reconciliations");
        assertThat(started.statusCode()).as(started.asString()).isEqualTo(202);
        JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), started.header("Location"), Duration.ofSeconds(90), Duration.ofMillis(500));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        assertThat(job.getInt("progress.partitionsDone")).isEqualTo(IamKafkaResource.PARTITIONS);
        assertThat(job.getLong("progress.offsetsChecked")).isEqualTo(job.getLong("progress.offsets")).isPositive();
    }

    @Test
    @Order(5)
    void reDriveReadsTheMissingBackFromKafkaAndDeliversThem() throws Exception {
        Span s = spans.get(0);
        Set<Long> deleted = new TreeSet<>();
        for (long o = s.from() + 5; o < s.from() + 20; o++) {
            deleted.add(o);
        }
        List<SearchAndBackup.Doc> docs = SearchAndBackup.docs(TOPIC, s.partition(), deleted);
        assertThat(docs).hasSize(deleted.size());
        SearchAndBackup.delete(docs);
        JsonPath first = report(s);
        assertThat(first.getLong("report.search.missingCount")).isEqualTo(deleted.size());
        Response accepted = given().auth().oauth2(TOKEN).post("/reconciliations/{id}/redrive", first.getString("id"));
        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        JsonPath job = Jobs.awaitEnd(() -> given().auth().oauth2(TOKEN), accepted.header("Location"), Duration.ofSeconds(60), Duration.ofMillis(500));
        assertThat(job.getString("state")).as(job.prettify()).isEqualTo("SUCCEEDED");
        assertThat(job.getLong("redrive.readFromKafka")).isEqualTo(deleted.size());
        assertThat(job.getLong("redrive.resent")).isEqualTo(deleted.size());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonPath r = report(s).setRootPath("report");
            assertThat(r.getLong("search.missingCount")).isZero();
            assertThat(r.getLong("search.present")).isEqualTo(s.count());
        });
        LOG.infof("Over AWS_MSK_IAM: %d events delivered, %d dead-lettered, reconciled, verified, %d re-driven in %s",
                spans.stream().mapToLong(Span::count).sum(), expectedDeadLetters.size(), deleted.size(), Duration.between(start, Instant.now()));
    }

    private static JsonPath report(Span s) {
        Response r = given().auth().oauth2(TOKEN).queryParam("from", s.from()).queryParam("to", s.to())
                .get("/reconciliations/{topic}/{partition}", TOPIC, s.partition());
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(200);
        return r.jsonPath();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
