package io.firehosebridge.kafka;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import io.smallrye.common.annotation.Identifier;

/**
 * The one way the service builds a Kafka client outside the messaging channels (admin lookups, readers by
 * offset, the ledger's producer and consumer).
 * <p>
 * Every client starts from the shared {@code kafka.*} configuration that the channels use too (Quarkus
 * exposes it as the {@code default-kafka-broker} map, {@code KAFKA_*} environment variables included), so
 * brokers, TLS and SASL are configured once and reach every client. A caller adds only what is specific to
 * its client (serializers, client id, timeouts); it may not set connection or security settings, which would
 * make that client differ from the others.
 */
@ApplicationScoped
public class KafkaClients {

    private static final String GROUP_ID = "group.id";

    private final Map<String, Object> shared;

    @Inject
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> shared) {
        this.shared = Map.copyOf(shared);
    }

    /** A consumer; it joins no group unless {@code extra} names one. */
    public <K, V> KafkaConsumer<K, V> consumer(Map<String, Object> extra, Deserializer<K> keys, Deserializer<V> values) {
        return new KafkaConsumer<>(consumerConfig(extra), keys, values);
    }

    /** A producer. */
    public <K, V> KafkaProducer<K, V> producer(Map<String, Object> extra, Serializer<K> keys, Serializer<V> values) {
        return new KafkaProducer<>(producerConfig(extra), keys, values);
    }

    /** An admin client with the shared settings alone. */
    public Admin admin() {
        return admin(Map.of());
    }

    /** An admin client. */
    public Admin admin(Map<String, Object> extra) {
        return Admin.create(adminConfig(extra));
    }

    /** The settings {@link #consumer} gives its client. */
    public Map<String, Object> consumerConfig(Map<String, Object> extra) {
        // Quarkus puts the application name in the shared map as a default group; a reader by offset must not
        // join (or read the commits of) the bridge's own group by accident.
        return merge(extra, !extra.containsKey(GROUP_ID));
    }

    /** The settings {@link #producer} gives its client. */
    public Map<String, Object> producerConfig(Map<String, Object> extra) {
        return merge(extra, true);
    }

    /** The settings {@link #admin} gives its client. */
    public Map<String, Object> adminConfig(Map<String, Object> extra) {
        return merge(extra, true);
    }

    /** The brokers every client connects to. */
    public String bootstrapServers() {
        return setting("bootstrap.servers", "(kafka.bootstrap.servers not set)");
    }

    /** A shared setting as every client gets it (e.g. {@code bootstrap.servers}), or {@code fallback} when it is not set. */
    public String setting(String name, String fallback) {
        Object value = shared.get(name);
        return value == null ? fallback : value.toString();
    }

    /** Whether a setting belongs to the shared connection and security configuration that callers may not change. */
    public static boolean isConnectionSetting(String name) {
        return name.equals("bootstrap.servers") || name.equals("security.protocol") || name.startsWith("sasl.")
                || name.startsWith("ssl.") || name.equals("tls-configuration-name");
    }

    private Map<String, Object> merge(Map<String, Object> extra, boolean dropGroup) {
        Map<String, Object> config = new HashMap<>(shared);
        if (dropGroup) {
            config.remove(GROUP_ID);
        }
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            if (isConnectionSetting(e.getKey())) {
                throw new IllegalArgumentException("'" + e.getKey() + "' comes from the shared kafka.* configuration; a client may not set it");
            }
            config.put(e.getKey(), e.getValue());
        }
        if (!config.containsKey("bootstrap.servers")) {
            throw new IllegalStateException("kafka.bootstrap.servers is not configured");
        }
        return config;
    }
}
