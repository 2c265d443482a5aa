package io.firehosebridge.kafka;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Keeps the Kafka clients' per-reconnect complaints out of the log: a refused login, a failed TLS handshake or
 * an unreachable broker is logged by every client on every attempt (about once a second each, with a poll
 * failure from the connector on top). {@link KafkaConnection} logs the cause once instead and holds readiness
 * DOWN. Everything else the Kafka clients log passes.
 */
@LoggingFilter(name = "kafka-connection-repeats")
public final class KafkaConnectionLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        String logger = record.getLoggerName();
        if (logger == null || !(logger.startsWith("org.apache.kafka.") || logger.startsWith("io.smallrye.reactive.messaging.kafka"))) {
            return true;
        }
        return !isConnectionFailure(logger, message(record), record.getThrown());
    }

    static boolean isConnectionFailure(String logger, String message, Throwable thrown) {
        if (message == null) {
            return false;
        }
        boolean authentication = KafkaConnection.isConnectionFailure(thrown) || message.contains("AuthenticationException");
        if (logger.equals("org.apache.kafka.clients.NetworkClient")) {
            return message.contains("failed authentication due to") || message.contains("could not be established")
                    || (message.contains("Bootstrap broker") && message.contains("disconnected"));
        }
        if (logger.equals("org.apache.kafka.clients.admin.internals.AdminMetadataManager")) {
            return authentication;
        }
        if (logger.startsWith("io.smallrye.reactive.messaging.kafka")) {
            // SRMSG18285: a poll failed and will be retried; here only when it failed to log in.
            return message.contains("SRMSG18285") && authentication;
        }
        return false;
    }

    private static String message(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            return ext.getFormattedMessage();
        }
        return record.getMessage();
    }
}
