package io.firehosebridge.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The time the service signs its own AWS requests with (PutRecordBatch, search): this node's clock, corrected by what AWS
 * said its time was when it refused a signature as too old or too new. AWS refuses a signing time more than 5 minutes
 * from its own; the SDK's clients correct for that from the refusal's {@code Date} header and sign again, and the
 * requests the service signs itself do the same here, so a node whose clock drifted keeps delivering (with one warning
 * and the gauge {@code bridge.aws.clock.offset}) instead of having every call refused.
 *
 * <p>As the SDK decides: a refusal whose code says the time was wrong ({@code RequestTimeTooSkewed}, {@code RequestExpired},
 * {@code RequestInTheFuture}) corrects the clock, and so does any other refusal of the caller when AWS's time differs
 * from the signing time by more than 4 minutes.
 */
@Singleton
public class AwsClock {

    private static final Logger LOG = Logger.getLogger(AwsClock.class);

    /** AWS allows 5 minutes; the SDK calls a clock skewed from 4. */
    static final Duration SKEWED = Duration.ofMinutes(4);

    private static final Set<String> TIME_CODES = Set.of("RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture");

    private final Clock system;
    private volatile Duration offset = Duration.ZERO;
    private volatile Clock signing;

    public AwsClock() {
        this(Clock.systemUTC());
    }

    /** @param system this node's clock */
    public AwsClock(Clock system) {
        this.system = system;
        this.signing = system;
    }

    void registerGauge(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("bridge.aws.clock.offset", this, c -> c.offset.toMillis() / 1000.0).baseUnit("seconds")
                .description("How far AWS's clock is ahead of this node's (negative: behind), as learned from refused signatures")
                .register(registry);
    }

    /** The clock requests are signed with. */
    public Clock signingClock() {
        return signing;
    }

    /** How far AWS's clock is ahead of this node's, as last learned; zero until AWS refuses a signing time. */
    public Duration offset() {
        return offset;
    }

    /**
     * Learns AWS's time from a refusal, when the refusal is about the signing time.
     *
     * @param call what was refused, for the log line (e.g. {@code PutRecordBatch})
     * @param status the HTTP status of the refusal
     * @param errorCode AWS's error code, or null when the answer has none (a search domain's 403)
     * @param dateHeader the refusal's {@code Date} header, or null
     * @return whether the signing clock changed, so that signing the same request again may now pass
     */
    public boolean learn(String call, int status, String errorCode, String dateHeader) {
        if (status < 400 || status >= 500) {
            return false;
        }
        Optional<Instant> awsTime = parseDate(dateHeader);
        if (awsTime.isEmpty()) {
            return false;
        }
        Instant now = system.instant();
        Duration wrongBy = Duration.between(now.plus(offset), awsTime.get()).abs();
        boolean aboutTime = errorCode != null && TIME_CODES.contains(errorCode);
        if (!aboutTime && (wrongBy.compareTo(SKEWED) <= 0 || (errorCode != null && !AwsRefusals.refusesCaller(errorCode)))) {
            return false;
        }
        Duration learned = Duration.ofSeconds(Duration.between(now, awsTime.get()).getSeconds());
        synchronized (this) {
            if (learned.equals(offset)) {
                return false;
            }
            offset = learned;
            signing = learned.isZero() ? system : Clock.offset(system, learned);
        }
        if (learned.abs().compareTo(SKEWED) > 0) {
            LOG.warnf("AWS's clock is %s %s this node's (the Date of a %s refused with %s): the service signs with AWS's time from now on;"
                    + " the node's clock needs synchronising (NTP)", human(learned.abs()), learned.isNegative() ? "behind" : "ahead of", call,
                    errorCode == null ? "HTTP " + status : errorCode);
        } else {
            LOG.infof("AWS's clock and this node's agree again (%s apart, learned from a %s refused with %s): signing with the node's clock"
                    + " corrected by that", human(learned.abs()), call, errorCode == null ? "HTTP " + status : errorCode);
        }
        return true;
    }

    /** An HTTP date ({@code Date} header, RFC 1123), or empty when absent or unreadable. */
    static Optional<Instant> parseDate(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code about 10 min (599 s)}; the Date header has whole seconds, so the learned offset is off by up to one. */
    static String human(Duration d) {
        long s = d.getSeconds();
        return s >= 120 ? "about " + Math.round(s / 60.0) + " min (" + s + " s)" : s + " s";
    }
}
