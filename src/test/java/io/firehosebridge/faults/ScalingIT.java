package io.firehosebridge.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.faults.ScalingScenario.Outcome;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;

/**
 * The short form of the fault suite's scaling scenario, run by {@code ./mvnw verify -Pe2e}: two replicas of the packaged bridge in one
 * consumer group; during a stream one is removed by SIGTERM (a scale-down), then the other is replaced the way a Deployment
 * update does (a new one ready, the old one SIGTERMed). The reconciliation API, asked through the running replicas, must find
 * every offset in the index and the backup, and each event's duplicates within the in-flight bound.
 */
@EndToEnd
class ScalingIT {

    /** Ports of this run alone: the endpoint's API and HTTP port; the replicas take free ports of their own. */
    private static final int FIREHOSE_PORT = FreePorts.next();
    private static final int FIREHOSE_HTTP = FreePorts.next();
    private static final int RATE = 1_000;
    private static final long EVENTS = 40_000;

    @Test
    void deliversEveryOffsetOnceThroughAScaleDownAndARestart() throws Exception {
        LocalStackResource.ensureStarted();
        String topic = FaultSuite.createTopics("it-scaling-" + LocalStackResource.RUN);
        try (ServiceProcess firehose = ServiceProcess.localFirehose("scaling-firehose", FIREHOSE_HTTP, Map.of("local-firehose.port", Integer.toString(FIREHOSE_PORT))).start();
                ScalingScenario scaling = new ScalingScenario(topic, ScalingScenario.replicaProps(topic, FIREHOSE_PORT), 0, RATE)) {
            scaling.startWith(2);
            EventStream stream = new EventStream(topic, EVENTS, RATE).start();
            try {
                // Each change once a few seconds of the stream went by, so both fall in the middle of it.
                awaitProduced(stream, 5 * RATE);
                scaling.scaleTo(1);
                awaitProduced(stream, stream.produced() + 3 * RATE);
                scaling.rollingRestart();
                stream.await();
            } finally {
                stream.stop();
            }
            List<Outcome> outcomes = scaling.judge(Duration.ofSeconds(90));

            // The scale-down, the restart, and the stream's rest after them.
            assertThat(outcomes).extracting(Outcome::name).hasSize(3);
            assertThat(ScalingScenario.total(outcomes).events()).as("offsets judged").isEqualTo(EVENTS);
            assertThat(outcomes).allSatisfy(o -> {
                assertThat(o.convergedSeconds()).as("%s: seconds until the group was stable with every partition assigned", o.name())
                        .isLessThan(120);
                assertThat(o.verdict().missing()).as("%s: offsets missing in the index or the backup", o.name()).isZero();
                assertThat(o.verdict().deadLettered()).as("dead letters").isZero();
                assertThat(o.verdict().duplicated()).as("%s: extra copies (bound %,d)", o.name(), o.bound()).isLessThanOrEqualTo(o.bound());
            });
        }
    }

    private static void awaitProduced(EventStream stream, long events) {
        await("%,d events produced".formatted(events)).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                .until(() -> stream.produced() >= events);
    }
}
