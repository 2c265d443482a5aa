package io.firehosebridge.localfirehose;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/**
 * The clock of this stack's AWS: arrival times, signature checks, credentials' expiry. UTC system time plus the offset
 * {@code PUT /_local/clock} sets ({@link StackClock}), unless a test provides another {@link Clock} bean.
 */
public class LocalFirehoseClock {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return new StackClock(Clock.systemUTC());
    }
}
