package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.scan.OffsetRange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * Two packaged replicas of the bridge in one consumer group, as a Deployment with two pods runs them
 * behind one Service: a job started on A is seen and cancelled through B, each replica verifies only
 * the partitions it consumes (the gauges add up to the group's), and when A is killed (SIGKILL) in the
 * middle of a job, B takes the job over and finishes it from the partitions A had not done.
 */
@EndToEnd
class ReplicasIT {

    private static final Logger LOG = Logger.getLogger(ReplicasIT.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ports of this run alone, free ones picked at the start. */
    private static final int FIREHOSE_PORT = FreePorts.next();
    private static final int FIREHOSE_HTTP = FreePorts.next();
    private static final int A_PORT = FreePorts.next();
    private static final int B_PORT = FreePorts.next();

    @Test
    void jobsAreSharedByReplicasAndATakenOverJobFinishes() throws Exception {
        LocalStackResource.ensureStarted();
        String run = "replicas-" + LocalStackResource.RUN;
        String topic = "it-clicks-" + run;
        String group = "it-bridge-" + run;
        Topics.create(List.of(new NewTopic(topic, 6, (short) 1)));
        Map<String, String> props = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "bridge.delivery.endpoint", "http://127.0.0.1:" + FIREHOSE_PORT,
                "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", group,
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs",
                "bridge.reconcile.jobs.heartbeat-interval", "1s",
                "bridge.reconcile.jobs.owner-timeout", "5s"));
        props.putAll(Map.of(
                "bridge.reconcile.delivery-window", "15s",
                "bridge.reconcile.ledger.flush-interval", "500ms",
                "bridge.reconcile.ledger.verify-interval", "1s",
                "bridge.reconcile.ledger.recheck-interval", "3s"));
        Instant t0 = Instant.now();
        try (ServiceProcess firehose = ServiceProcess.localFirehose("replicas-firehose", FIREHOSE_HTTP, Map.of("local-firehose.port", Integer.toString(FIREHOSE_PORT))).start();
                ServiceProcess a = new ServiceProcess("replicas-a", A_PORT, props).start();
                ServiceProcess b = new ServiceProcess("replicas-b", B_PORT, props).start();
                ClickProducer producer = new ClickProducer()) {
            // Both replicas have their share before the events arrive.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    gauge(A_PORT, "bridge_reconcile_verified_partitions") + gauge(B_PORT, "bridge_reconcile_verified_partitions") == 6
                            && gauge(B_PORT, "bridge_reconcile_verified_partitions") > 0);
            long produced = producer.clicks(topic, 30_000).stream().mapToLong(ClickProducer.Span::count).sum();
            assertThat(produced).isEqualTo(30_000);
            awaitCommitted(topic, group);
            LOG.infof("30,000 events delivered and committed by two replicas after %s", Duration.between(t0, Instant.now()));

            // Each replica verifies the partitions it consumes; together, all six, each span once.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                double ownedA = gauge(A_PORT, "bridge_reconcile_verified_partitions");
                double ownedB = gauge(B_PORT, "bridge_reconcile_verified_partitions");
                assertThat(ownedA).isPositive();
                assertThat(ownedB).isPositive();
                assertThat(ownedA + ownedB).isEqualTo(6);
                JsonNode ledger = get(B_PORT, "/reconciliations/ledger?topic=" + topic).body();
                assertThat(ledger.path("truncated").asBoolean()).isFalse();
                Map<Integer, List<OffsetRange>> spans = new HashMap<>();
                for (JsonNode e : ledger.path("entries")) {
                    assertThat(e.path("status").asText()).as(e.toString()).isEqualTo("CONFIRMED");
                    spans.computeIfAbsent(e.path("partition").asInt(), k -> new ArrayList<>())
                            .add(new OffsetRange(e.path("first").asLong(), e.path("last").asLong()));
                }
                long covered = spans.values().stream()
                        .mapToLong(r -> Redriver.union(r, List.of()).stream().mapToLong(OffsetRange::count).sum()).sum();
                assertThat(covered).as("offsets the ledger holds as sent and confirmed").isEqualTo(30_000);
                assertThat(gauge(A_PORT, "bridge_reconcile_unconfirmed_search") + gauge(B_PORT, "bridge_reconcile_unconfirmed_search")).isZero();
            });
            LOG.infof("verifier split: A verifies %.0f partitions, B %.0f", gauge(A_PORT, "bridge_reconcile_verified_partitions"),
                    gauge(B_PORT, "bridge_reconcile_verified_partitions"));

            // A job started on A...
            Answer started = post(A_PORT, "/reconciliations", "{\"topic\":\"" + topic + "\"}");
            assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
            String id = started.body().path("id").asText();
            String ownerA = started.body().path("owner").asText();
            assertThat(started.location()).endsWith("/reconciliations/" + id);
            // ...and a second one queued behind it (one job thread).
            Answer queued = post(A_PORT, "/reconciliations", "{\"topic\":\"" + topic + "\",\"partitions\":[0]}");
            assertThat(queued.status()).isEqualTo(202);
            String queuedId = queued.body().path("id").asText();

            // B shows A's job at once.
            Answer seenOnB = get(B_PORT, "/reconciliations/" + id);
            assertThat(seenOnB.status()).as(seenOnB.body().toString()).isEqualTo(200);
            assertThat(seenOnB.body().path("owner").asText()).isEqualTo(ownerA);
            assertThat(seenOnB.body().path("state").asText()).isIn("QUEUED", "RUNNING");
            assertThat(seenOnB.body().path("progress").path("partitions").asInt()).isEqualTo(6);

            // B cancels A's queued job; A stops it and both say so.
            Answer cancel = delete(B_PORT, "/reconciliations/" + queuedId);
            assertThat(cancel.status()).as(cancel.body().toString()).isEqualTo(200);
            assertThat(cancel.body().path("cancelRequested").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(get(A_PORT, "/reconciliations/" + queuedId).body().path("state").asText()).isEqualTo("CANCELLED");
                assertThat(get(B_PORT, "/reconciliations/" + queuedId).body().path("state").asText()).isEqualTo("CANCELLED");
            });

            // Kill A (SIGKILL) while B sees a job of A's running. The first job ran during the cancel above and may have
            // finished already on a fast machine; then a fresh one, watched from its start, is the one A dies in.
            String running = id;
            JsonNode[] before = new JsonNode[1];
            for (int attempt = 1; ; attempt++) {
                String watched = running;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    before[0] = get(B_PORT, "/reconciliations/" + watched).body();
                    return !"QUEUED".equals(before[0].path("state").asText());
                });
                if ("RUNNING".equals(before[0].path("state").asText()) || attempt == 3) {
                    break;
                }
                LOG.infof("job %s was %s before A could be killed (attempt %d); starting another", running, before[0].path("state").asText(),
                        attempt);
                Answer again = post(A_PORT, "/reconciliations", "{\"topic\":\"" + topic + "\"}");
                assertThat(again.status()).as(again.body().toString()).isEqualTo(202);
                running = again.body().path("id").asText();
            }
            assertThat(before[0].path("state").asText()).as("the job must still run when its replica is killed; %s", before[0])
                    .isEqualTo("RUNNING");
            int doneByA = before[0].path("progress").path("partitionsDone").asInt();
            assertThat(doneByA).isLessThan(6);
            a.kill();
            Instant killed = Instant.now();
            LOG.infof("killed replica A (%s) with %d of 6 partitions of job %s done", ownerA, doneByA, running);
            String killedJob = running;

            // B takes it over after the owner timeout and finishes it.
            JsonNode[] after = new JsonNode[1];
            Instant[] takenOver = new Instant[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                after[0] = get(B_PORT, "/reconciliations/" + killedJob).body();
                if (takenOver[0] == null && !ownerA.equals(after[0].path("owner").asText())) {
                    takenOver[0] = Instant.now();
                }
                return !Set.of("QUEUED", "RUNNING").contains(after[0].path("state").asText());
            });
            JsonNode job = after[0];
            LOG.infof("job %s after the kill: %s", killedJob, job.toPrettyString());
            assertThat(job.path("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.path("owner").asText()).isNotEqualTo(ownerA).isNotEmpty();
            assertThat(job.path("notes").toString()).contains("taken over by " + job.path("owner").asText(),
                    "owner " + ownerA + " stopped heartbeating", "resuming at partition ");
            List<Integer> partitions = new ArrayList<>();
            job.path("partitions").forEach(p -> partitions.add(p.path("partition").asInt()));
            assertThat(partitions).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(job.path("status").asText()).isEqualTo("COMPLETE");
            assertThat(job.path("progress").path("offsetsChecked").asLong()).isEqualTo(30_000);
            Duration takeover = Duration.between(killed, takenOver[0]);
            LOG.infof("B took the job over %s after A was killed (owner timeout 5 s) and finished it %s after the kill", takeover,
                    Duration.between(killed, Instant.now()));
            assertThat(takeover).isLessThan(Duration.ofSeconds(20));
            // The partition A had half done was checked again by B, and counted once: as many S3 objects as one uninterrupted run.
            Answer fresh = post(B_PORT, "/reconciliations", "{\"topic\":\"" + topic + "\"}");
            assertThat(fresh.status()).as(fresh.body().toString()).isEqualTo(202);
            JsonNode[] uninterrupted = new JsonNode[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                uninterrupted[0] = get(B_PORT, "/reconciliations/" + fresh.body().path("id").asText()).body();
                return !Set.of("QUEUED", "RUNNING").contains(uninterrupted[0].path("state").asText());
            });
            assertThat(uninterrupted[0].path("state").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.path("progress").path("objectsChecked").asLong()).as("objects checked by the taken-over job")
                    .isEqualTo(uninterrupted[0].path("progress").path("objectsChecked").asLong()).isPositive();

            // After the rebalance B verifies all six partitions.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(gauge(B_PORT, "bridge_reconcile_verified_partitions")).isEqualTo(6));
            LOG.infof("replicas test took %s", Duration.between(t0, Instant.now()));
        }
    }

    private static void awaitCommitted(String topic, String group) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < 6; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
                var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                for (var e : ends.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    assertThat(c == null ? -1 : c.offset()).as("committed offset of %s", e.getKey()).isEqualTo(e.getValue().offset());
                }
            }
        });
    }

    private record Answer(int status, JsonNode body, String location) {
    }

    private static Answer get(int port, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
    }

    private static Answer delete(int port, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).DELETE());
    }

    private static Answer post(int port, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Answer(r.statusCode(), body, r.headers().firstValue("Location").orElse(null));
    }

    private static double gauge(int port, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
