package io.firehosebridge.aws;

import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * The log lines of a readiness check about AWS refusing the service: one ERROR when a refusal starts and again when its
 * cause changes (a token file that reappears with a token STS refuses is a new cause), one INFO when AWS accepts the service
 * again; nothing while the same cause lasts.
 */
public final class RefusalLog {

    private final Logger log;
    /** The cause last logged: the refusal's code or kind, without the details that change with every call; null when accepted. */
    private volatile String refusedFor;

    public RefusalLog(Logger log) {
        this.log = log;
    }

    /** AWS refused the service with {@code refusal} ({@link AwsRefusals#callerProblem}); {@code line} is logged if the cause is new. */
    public void refused(String refusal, Supplier<String> line) {
        String cause = refusal.split("[:(]", 2)[0].trim();
        if (!cause.equals(refusedFor)) {
            log.error(line.get());
        }
        refusedFor = cause;
    }

    /** AWS accepted the service; {@code line} is logged if it had refused it. */
    public void accepted(Supplier<String> line) {
        if (refusedFor != null) {
            log.info(line.get());
        }
        refusedFor = null;
    }
}
