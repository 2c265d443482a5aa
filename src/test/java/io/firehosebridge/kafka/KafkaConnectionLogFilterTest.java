package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The filter drops only the Kafka clients' repeated connection failures, which KafkaConnection reports once. */
class KafkaConnectionLogFilterTest {

    private final KafkaConnectionLogFilter filter = new KafkaConnectionLogFilter();

    @Test
    void dropsTheClientsRepeatedConnectionFailures() {
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.NetworkClient", "[Consumer clientId=c, groupId=g] Connection to node -1 "
                + "(localhost/127.0.0.1:9094) failed authentication due to: Authentication failed due to invalid credentials", null))).isFalse();
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.NetworkClient",
                "[Producer clientId=p] Connection to node -1 (/127.0.0.1:9099) could not be established. Node may not be available.", null))).isFalse();
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.NetworkClient",
                "[Producer clientId=p] Bootstrap broker 127.0.0.1:9094 (id: -1 rack: null) disconnected", null))).isFalse();
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.admin.internals.AdminMetadataManager",
                "[AdminClient clientId=a] Fatal error during metadata update", new SslAuthenticationException("SSL handshake failed")))).isFalse();
        assertThat(filter.isLoggable(record("io.smallrye.reactive.messaging.kafka",
                "SRMSG18285: Failed to poll consumer client `c` for channel `clicks`, it will be re-attempted",
                new SaslAuthenticationException("invalid credentials")))).isFalse();
    }

    @Test
    void letsEverythingElseThrough() {
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.NetworkClient",
                "[Consumer clientId=c] Error while fetching metadata with correlation id 7 : {clicks=UNKNOWN_TOPIC_OR_PARTITION}", null))).isTrue();
        assertThat(filter.isLoggable(record("io.smallrye.reactive.messaging.kafka",
                "SRMSG18285: Failed to poll consumer client `c` for channel `clicks`, it will be re-attempted", new IllegalStateException("other"))))
                .isTrue();
        assertThat(filter.isLoggable(record("org.apache.kafka.clients.admin.internals.AdminMetadataManager", "Metadata update failed",
                new IllegalStateException("other")))).isTrue();
        assertThat(filter.isLoggable(record("io.firehosebridge.kafka.KafkaConnection",
                "Kafka at 127.0.0.1:9094: login rejected (SASL SCRAM-SHA-512): failed authentication due to invalid credentials", null))).isTrue();
    }

    private static LogRecord record(String logger, String message, Throwable thrown) {
        LogRecord r = new LogRecord(Level.WARNING, message);
        r.setLoggerName(logger);
        r.setThrown(thrown);
        return r;
    }
}
