package io.firehosebridge.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The service under test reaches Kafka only through the IAM broker's AWS_MSK_IAM listener ({@link IamKafka}): every
 * {@code kafka.*} setting points there, the AWS credentials are the broker's temporary ones (a key, its secret and a
 * session token, as IRSA or EKS Pod Identity hand out), found by the library's default chain in the JVM's system
 * properties, and the region comes from {@code aws.region} (the local address names none). The test's own helpers (topic
 * creation, producing, reading dead letters) use that broker's PLAINTEXT listener. OpenSearch and S3 are the stack's.
 */
public class IamKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final int PARTITIONS = 3;
    public static final String RUN = "iam-" + Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 6);
    public static final String TOPIC = "it-clicks-" + RUN;
    public static final String DLQ_TOPIC = "it-clicks-dlq-" + RUN;
    public static final String LEDGER_TOPIC = "it-ledger-" + RUN;
    public static final String JOBS_TOPIC = "it-jobs-" + RUN;
    public static final String GROUP = "it-bridge-" + RUN;

    private final Map<String, String> propertiesBefore = new HashMap<>();

    @Override
    public Map<String, String> start() {
        LocalStackResource.ensureStarted();
        IamKafka kafka = IamKafka.local();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.plaintextBootstrapServers()))) {
            Topics.create(admin, List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1), new NewTopic(DLQ_TOPIC, 1, (short) 1)));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the IAM test's topics", e);
        }
        Map<String, String> properties = new HashMap<>(kafka.temporary().systemProperties());
        properties.put("aws.region", kafka.region());
        properties.forEach((k, v) -> {
            propertiesBefore.put(k, System.getProperty(k));
            System.setProperty(k, v);
        });
        Map<String, String> config = new HashMap<>(kafka.serviceSettings(kafka.bootstrapServers()));
        config.put("mp.messaging.incoming.clicks.topic", TOPIC);
        config.put("mp.messaging.incoming.clicks.group.id", GROUP);
        config.put("mp.messaging.outgoing.dead-letters.topic", DLQ_TOPIC);
        config.put("bridge.reconcile.ledger.topic", LEDGER_TOPIC);
        config.put("bridge.reconcile.jobs.topic", JOBS_TOPIC);
        return config;
    }

    @Override
    public void stop() {
        propertiesBefore.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        // The brokers stay up for the next test class.
    }
}
