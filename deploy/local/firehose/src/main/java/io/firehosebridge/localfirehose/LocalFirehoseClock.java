package io.firehosebridge.localfirehose;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** The clock arrival times come from; UTC system time unless a test provides another {@link Clock} bean. */
public class LocalFirehoseClock {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
