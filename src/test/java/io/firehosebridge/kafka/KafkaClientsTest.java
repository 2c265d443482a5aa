package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Every client KafkaClients builds carries the shared connection and security settings, whatever its kind. */
class KafkaClientsTest {

    /** What Quarkus puts in the default-kafka-broker map for a SASL_SSL cluster (group.id is its own default). */
    private static final Map<String, Object> SECURED = Map.of(
            "bootstrap.servers", "127.0.0.1:1",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            "ssl.truststore.location", "/nonexistent/kafka-clients-test/truststore.p12",
            "ssl.truststore.type", "PKCS12",
            "ssl.truststore.password", "secret",
            "group.id", "kafka-firehose-bridge");

    private final KafkaClients clients = new KafkaClients(SECURED);

    @Test
    void everyKindOfClientCarriesEverySharedSetting() {
        Map<String, Object> extra = Map.of("client.id", "x", "enable.auto.commit", "false");
        for (Map<String, Object> config : List.of(clients.consumerConfig(extra), clients.producerConfig(Map.of("acks", "all")),
                clients.adminConfig(Map.of()), clients.adminConfig(Map.of("request.timeout.ms", 10000)))) {
            SECURED.forEach((k, v) -> {
                if (!k.equals("group.id")) {
                    assertThat(config).containsEntry(k, v);
                }
            });
        }
        assertThat(clients.consumerConfig(extra)).containsEntry("client.id", "x").containsEntry("enable.auto.commit", "false");
    }

    @Test
    void aConsumerJoinsNoGroupUnlessItAsksForOne() {
        assertThat(clients.consumerConfig(Map.of())).doesNotContainKey("group.id");
        assertThat(clients.consumerConfig(Map.of("group.id", "mine"))).containsEntry("group.id", "mine");
        assertThat(clients.producerConfig(Map.of())).doesNotContainKey("group.id");
        assertThat(clients.adminConfig(Map.of())).doesNotContainKey("group.id");
    }

    @Test
    void aClientCannotReplaceConnectionOrSecuritySettings() {
        for (String key : List.of("bootstrap.servers", "security.protocol", "sasl.jaas.config", "ssl.truststore.location")) {
            assertThatThrownBy(() -> clients.producerConfig(Map.of(key, "other"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key);
        }
    }

    @Test
    void theRealClientsUseTheSecuritySettings() {
        // The truststore does not exist: a client that took the SSL settings fails while building its channel.
        assertThatThrownBy(() -> clients.consumer(Map.of(), new StringDeserializer(), new StringDeserializer()).close())
                .hasStackTraceContaining("/nonexistent/kafka-clients-test/truststore.p12");
        assertThatThrownBy(() -> clients.producer(Map.of(), new StringSerializer(), new StringSerializer()).close())
                .hasStackTraceContaining("/nonexistent/kafka-clients-test/truststore.p12");
        assertThatThrownBy(() -> clients.admin().close()).hasStackTraceContaining("/nonexistent/kafka-clients-test/truststore.p12");
    }

    @Test
    void refusesToBuildAClientWithoutBrokers() {
        KafkaClients none = new KafkaClients(Map.of("security.protocol", "SSL"));
        assertThatThrownBy(() -> none.adminConfig(Map.of())).hasMessageContaining("kafka.bootstrap.servers");
    }
}
