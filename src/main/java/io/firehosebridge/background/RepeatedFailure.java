package io.firehosebridge.background;

import java.util.Objects;

import org.jboss.logging.Logger;

/**
 * Logs the failures of background work that is tried again and again (a reader reconnecting, a heartbeat, an
 * installation retried): a failure with a new message is a warning with its cause's stack; the same failure again
 * is a warning with the message alone, so a failure that persists does not fill the log with the same stack.
 */
public final class RepeatedFailure {

    private final Logger log;
    private String last;

    public RepeatedFailure(Logger log) {
        this.log = log;
    }

    /** Logs {@code e} as a warning: {@code what} (a format with {@code args}), then the cause, with its stack when it is new. */
    public void warn(Throwable e, String what, Object... args) {
        String text = String.format(what, args);
        if (isNew(e)) {
            log.warn(text, e);
        } else {
            log.warnf("%s (again): %s", text, e.getMessage());
        }
    }

    /** Whether {@code e} differs from the failure before it (by its message); remembers it. */
    public synchronized boolean isNew(Throwable e) {
        boolean fresh = !Objects.equals(e.getMessage(), last);
        last = e.getMessage();
        return fresh;
    }

    /** The work succeeded: its next failure is new, whatever it says. */
    public synchronized void clear() {
        last = null;
    }
}
