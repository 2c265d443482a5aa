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
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * The time the service signs its own AWS requests with (PutRecordBatch, search): this node's clock, corrected by what AWS
 * said its time was when it refused a signature as too old or too new. AWS refuses a signing time more than 5 minutes
 * from its own; the SDK's clients correct for that from the refusal's {@code Date} header and sign again, and the
 * requests the service signs itself do the same here, so a node whose clock drifted keeps delivering (with one warning
 * and the gauge {@code bridge.aws.clock.offset}) instead of having every call refused.
 *
 * <p>As the SDK decides: a refusal whose code says the time was wrong ({@code RequestTimeTooSkewed}, {@code RequestExpired},
 * {@code RequestInTheFuture}) corrects the clock, and so does a refused signature ({@code InvalidSignatureException},
 * {@code SignatureDoesNotMatch}, {@code AuthFailure}, or a 401 or 403 without a code, as a search domain answers) when
 * AWS's time differs from the time that request was signed with by more than 4 minutes. Each request is judged against
 * the offset it was signed with ({@link Signing}), so the calls in flight when the clock moved are each signed again.
 */
@Singleton
public class AwsClock {

    private static final Logger LOG = Logger.getLogger(AwsClock.class);

    /** AWS allows 5 minutes; the SDK calls a clock skewed from 4. */
    static final Duration SKEWED = Duration.ofMinutes(4);
    /** Offsets closer than this are the same: the Date header has whole seconds. */
    static final Duration SAME = Duration.ofSeconds(2);

    private static final Set<String> TIME_CODES = Set.of("RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture");
    private static final Set<String> SIGNATURE_CODES = Set.of("InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure");

    /** The offset a request is signed with, and the clock that gives it. */
    public record Signing(Duration offset, Clock clock) {
    }

    private final Clock system;
    private volatile Signing current;

    public AwsClock() {
        this(Clock.systemUTC());
    }

    /** @param system this node's clock */
    public AwsClock(Clock system) {
        this.system = system;
        this.current = new Signing(Duration.ZERO, system);
    }

    void registerGauge(@Observes StartupEvent event, MeterRegistry registry) {
        Gauge.builder("bridge.aws.clock.offset", this, c -> c.current.offset().toMillis() / 1000.0).baseUnit("seconds")
                .description("How far AWS's clock is ahead of this node's (negative: behind), as learned from refused signatures")
                .register(registry);
    }

    /** What a request is signed with now: keep it, to tell {@link #learn} what that request was signed with. */
    public Signing signing() {
        return current;
    }

    /** How far AWS's clock is ahead of this node's, as last learned; zero until AWS refuses a signing time. */
    public Duration offset() {
        return current.offset();
    }

    /**
     * Learns AWS's time from a refusal, when the refusal is about the signing time.
     *
     * @param call what was refused, for the log line (e.g. {@code PutRecordBatch})
     * @param status the HTTP status of the refusal
     * @param errorCode AWS's error code, or null when the answer has none (a search domain's 403)
     * @param dateHeader the refusal's {@code Date} header, or null
     * @param signedWith the offset the refused request was signed with ({@link Signing#offset()})
     * @return whether signing the same request again now would use another time, so that it may pass
     */
    public boolean learn(String call, int status, String errorCode, String dateHeader, Duration signedWith) {
        Optional<Instant> aws = awsTimeIfAboutTime(status, errorCode, dateHeader, signedWith);
        if (aws.isEmpty()) {
            return false;
        }
        Instant awsTime = aws.get();
        Instant now = system.instant();
        Duration learned = Duration.ofSeconds(Math.round(Duration.between(now, awsTime).toMillis() / 1000.0));
        Duration before;
        synchronized (this) {
            before = current.offset();
            if (!near(learned, before)) {
                current = new Signing(learned, learned.isZero() ? system : Clock.offset(system, learned));
            }
        }
        if (!near(learned, before)) {
            log(call, errorCode == null ? "HTTP " + status : errorCode, learned);
        }
        return !near(current.offset(), signedWith);
    }

    /** {@link #learn(String, int, String, String, Duration)} from an AWS error as the SDK reads it (its status, code and answer's Date). */
    public boolean learn(String call, AwsServiceException refusal, Duration signedWith) {
        return refusal.awsErrorDetails() != null
                && learn(call, refusal.statusCode(), refusal.awsErrorDetails().errorCode(), date(refusal), signedWith);
    }

    /**
     * Whether a refusal is about the signing time (the SDK's rule), for a request signed with {@code signedWith}. A refusal
     * that is says nothing about who the caller is: the same caller signing with AWS's time passes.
     */
    public boolean aboutTime(AwsServiceException refusal, Duration signedWith) {
        return refusal.awsErrorDetails() != null
                && awsTimeIfAboutTime(refusal.statusCode(), refusal.awsErrorDetails().errorCode(), date(refusal), signedWith).isPresent();
    }

    private static String date(AwsServiceException refusal) {
        return refusal.awsErrorDetails().sdkHttpResponse() == null ? null
                : refusal.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Date").orElse(null);
    }

    /** AWS's time from the refusal's Date, when the refusal is about the signing time; empty otherwise. */
    private Optional<Instant> awsTimeIfAboutTime(int status, String errorCode, String dateHeader, Duration signedWith) {
        boolean timeCode = errorCode != null && TIME_CODES.contains(errorCode);
        boolean signatureRefused = errorCode == null ? status == 401 || status == 403 : SIGNATURE_CODES.contains(errorCode);
        if (!timeCode && !signatureRefused) {
            return Optional.empty();
        }
        // The header drops the milliseconds: AWS's time was within the second after it.
        Optional<Instant> awsTime = parseDate(dateHeader).map(t -> t.plusMillis(500));
        if (awsTime.isEmpty() || timeCode) {
            return awsTime;
        }
        boolean skewed = Duration.between(system.instant().plus(signedWith), awsTime.get()).abs().compareTo(SKEWED) > 0;
        return skewed ? awsTime : Optional.empty();
    }

    private static boolean near(Duration a, Duration b) {
        return a.minus(b).abs().compareTo(SAME) <= 0;
    }

    private static void log(String call, String refusal, Duration learned) {
        if (learned.abs().compareTo(SKEWED) > 0) {
            LOG.warnf("AWS's clock is %s %s this node's (the Date of a %s refused with %s): the service signs with AWS's time from now on;"
                    + " the node's clock needs synchronising (NTP)", human(learned.abs()), learned.isNegative() ? "behind" : "ahead of", call,
                    refusal);
        } else if (learned.abs().compareTo(SAME) <= 0) {
            LOG.infof("AWS's clock and this node's agree again (learned from a %s refused with %s): signing with the node's clock", call, refusal);
        } else {
            LOG.infof("AWS's clock and this node's are %s apart now (learned from a %s refused with %s): signing with the node's clock"
                    + " corrected by that", human(learned.abs()), call, refusal);
        }
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

    /** {@code about 10 min (600 s)} or {@code 45 s}. */
    static String human(Duration d) {
        long s = d.getSeconds();
        return s >= 120 ? "about " + Math.round(s / 60.0) + " min (" + s + " s)" : s + " s";
    }
}
