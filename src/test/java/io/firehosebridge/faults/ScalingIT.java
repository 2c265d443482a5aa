package io.firehosebridge.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.faults.ScalingScenario.Outcome;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;

/**
 * The short form of the fault suite's scaling scenario, run by {@code ./mvnw verify}: two replicas of the packaged bridge in one
 * consumer group; during a stream one is removed by SIGTERM (a scale-down), then the other is replaced the way a Deployment
 * update does (a new one ready, the old one SIGTERMed). The reconciliation API, asked through the running replicas, must find
 * every offset in the index and the backup, and each event's duplicates within the in-flight bound.
 */
class ScalingIT {

    private static final int FIREHOSE_PORT = 4576;
    private static final int FIREHOSE_HTTP = 8100;
    private static final int FIRST_REPLICA_HTTP = 8101;
    private static final int RATE = 1_000;
    private static final long EVENTS = 40_000;

    @Test
    void deliversEveryOffsetOnceThroughAScaleDownAndARestart() throws Exception {
        LocalStackResource.ensureStarted();
        String topic = FaultSuite.createTopics("it-scaling-" + LocalStackResource.RUN);
        try (ServiceProcess firehose = new ServiceProcess("scaling-firehose", FIREHOSE_HTTP, Map.of("quarkus.profile", "firehose",
                "local-firehose.port", Integer.toString(FIREHOSE_PORT))).start();
                ScalingScenario scaling = new ScalingScenario(topic, ScalingScenario.replicaProps(topic, FIREHOSE_PORT), FIRST_REPLICA_HTTP, RATE)) {
            scaling.startWith(2);
            EventStream stream = new EventStream(topic, EVENTS, RATE).start();
            try {
                Thread.sleep(5_000);
                scaling.scaleTo(1);
                Thread.sleep(3_000);
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
}
