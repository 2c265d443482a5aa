package io.firehosebridge.localfirehose;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/**
 * The clocks: arrival times, buffers, S3 keys and index rotation keep the machine's time (UTC system time unless a test
 * provides another {@link Clock} bean); what checks or signs callers (signatures, credentials' expiry, the STS, the
 * answers' {@code Date}, the endpoint's own signed deliveries) keeps AWS's time, {@link StackClock}: the machine's plus
 * the offset {@code PUT /_local/clock} sets. So moving AWS's time never stalls a buffer or moves a record to another hour.
 */
public class LocalFirehoseClock {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Of type {@link StackClock} alone, so that it never stands in for the machine's {@link Clock}. */
    @Produces
    @Singleton
    @Typed(StackClock.class)
    StackClock stackClock(Clock machine) {
        return new StackClock(machine);
    }
}
