package io.firehosebridge.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The service under test reaches Kafka only through the stack's secured listener (SASL_SSL, SCRAM-SHA-512):
 * every {@code kafka.*} setting points there, and its topics, group and ledger are its own. The test's own
 * helpers (topic creation, producing, reading dead letters) stay on the PLAINTEXT listener.
 */
public class SecuredKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final int PARTITIONS = 3;
    public static final String RUN = "sec-" + Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 6);
    public static final String TOPIC = "it-clicks-" + RUN;
    public static final String DLQ_TOPIC = "it-clicks-dlq-" + RUN;
    public static final String LEDGER_TOPIC = "it-ledger-" + RUN;
    public static final String JOBS_TOPIC = "it-jobs-" + RUN;
    public static final String GROUP = "it-bridge-" + RUN;

    @Override
    public Map<String, String> start() {
        SecuredKafka kafka = SecuredKafka.local();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            Topics.create(admin, List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1), new NewTopic(DLQ_TOPIC, 1, (short) 1)));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the secured test's topics", e);
        }
        Map<String, String> config = new HashMap<>(kafka.serviceSettings());
        config.put("mp.messaging.incoming.clicks.topic", TOPIC);
        config.put("mp.messaging.incoming.clicks.group.id", GROUP);
        config.put("mp.messaging.outgoing.dead-letters.topic", DLQ_TOPIC);
        config.put("bridge.reconcile.ledger.topic", LEDGER_TOPIC);
        config.put("bridge.reconcile.jobs.topic", JOBS_TOPIC);
        return config;
    }

    @Override
    public void stop() {
        // The stack stays up for the next test class.
    }
}
