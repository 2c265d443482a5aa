package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.ClickProducer.Span;
import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The packaged bridge killed with SIGKILL mid-stream and restarted, twice: every offset still reaches
 * the index and the backup. The local Firehose endpoint runs in its own process (the same jar, profile
 * {@code firehose}) so that killing the bridge does not also kill the endpoint's buffers.
 */
@EndToEnd
class BridgeCrashIT {

    private static final Logger LOG = Logger.getLogger(BridgeCrashIT.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void deliversEveryOffsetWhenKilledMidStreamAndRestarted() throws Exception {
        LocalStackResource.ensureStarted();
        String run = "crash-" + LocalStackResource.RUN;
        String topic = "it-clicks-" + run;
        int firehosePort = FreePorts.next();
        int firehoseHttp = FreePorts.next();
        int bridgeHttp = FreePorts.next();
        Topics.create(List.of(new NewTopic(topic, 6, (short) 1)));
        Map<String, String> bridgeProps = Map.of(
                "quarkus.profile", "local",
                "bridge.delivery.endpoint", "http://127.0.0.1:" + firehosePort,
                "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + run,
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs");
        Instant start = Instant.now();
        try (ServiceProcess firehose = ServiceProcess.localFirehose("crash-firehose", firehoseHttp, Map.of("local-firehose.port", Integer.toString(firehosePort))).start();
                ClickProducer producer = new ClickProducer()) {
            ServiceProcess bridge = new ServiceProcess("crash-bridge", bridgeHttp, bridgeProps).start();
            List<Span> spans = new ArrayList<>();
            int kills = 0;
            for (int round = 0; round < 6; round++) {
                spans.addAll(producer.clicks(topic, 10_000));
                if (round == 1 || round == 3 || round == 4) {
                    // Mid-stream: this bridge process has delivered part of what is waiting, not all of it.
                    awaitDelivering(bridgeHttp);
                }
                if (round == 1 || round == 3) {
                    bridge.kill();
                    kills++;
                    LOG.infof("killed the bridge (SIGKILL), %d events produced so far", spans.stream().mapToLong(Span::count).sum());
                    bridge = new ServiceProcess("crash-bridge", bridgeHttp, bridgeProps).start();
                } else if (round == 4) {
                    // SIGTERM mid-stream: stop consuming, settle what is in flight, commit, exit cleanly.
                    java.nio.file.Path log = java.nio.file.Path.of("target", "crash-bridge.log");
                    long logBefore = java.nio.file.Files.size(log);
                    long t0 = System.nanoTime();
                    int exit = bridge.stop();
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    LOG.infof("stopped the bridge (SIGTERM) in %s, exit code %d", took, exit);
                    assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
                    assertThat(took).isLessThan(Duration.ofSeconds(30));
                    String shutdownLog = java.nio.file.Files.readString(log).substring((int) logBefore);
                    assertThat(shutdownLog).contains("All in-flight calls settled before shutdown");
                    bridge = new ServiceProcess("crash-bridge", bridgeHttp, bridgeProps).start();
                }
            }
            try {
                long total = spans.stream().mapToLong(Span::count).sum();
                assertThat(total).isEqualTo(60_000);
                DeliveredOffsets[] search = new DeliveredOffsets[1];
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                    search[0] = DeliveredOffsets.inSearch("clicks*", topic);
                    assertThat(spans).allSatisfy(s -> assertThat(search[0].missing(s.partition(), s.from(), s.to())).isZero());
                });
                DeliveredOffsets[] backup = new DeliveredOffsets[1];
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                    backup[0] = DeliveredOffsets.inBackup("clicks-backup", topic, start);
                    assertThat(spans).allSatisfy(s -> assertThat(backup[0].missing(s.partition(), s.from(), s.to())).isZero());
                });
                long duplicates = spans.stream().mapToLong(s -> search[0].duplicates(s.partition(), s.from(), s.to())).sum();
                LOG.infof("%d events, %d kills: none missing in search or backup; %d duplicates in search", total, kills, duplicates);
                // A kill can only repeat what was consumed and not yet committed: at most the in-flight bound per kill.
                assertThat(duplicates).isLessThanOrEqualTo(kills * 40_000L);
            } finally {
                bridge.stop();
            }
        }
    }

    /** Waits until the bridge process on this port has had its first thousand records accepted by the endpoint. */
    private static void awaitDelivering(int httpPort) {
        await("the bridge on port " + httpPort + " delivering").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> delivered(httpPort) >= 1_000);
    }

    private static double delivered(int httpPort) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("bridge_records_delivered_total")).mapToDouble(l -> Double.parseDouble(l.substring(
                l.lastIndexOf(' ') + 1))).sum();
    }
}
