package io.firehosebridge.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * The lines one class logs while a test runs, as written: attached to that class's logger by {@link #of}, detached by
 * {@link #close}. JBoss Logging hands the log manager a format and its arguments; {@link #lines} formats them.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    /** Starts capturing what {@code source} logs. */
    public static LogCapture of(Class<?> source) {
        return new LogCapture(source);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    /** The records so far, levels included. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The lines so far, formatted. */
    public List<String> lines() {
        return records.stream().map(LogCapture::text).toList();
    }

    /** A record's line as written. */
    public static String text(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
