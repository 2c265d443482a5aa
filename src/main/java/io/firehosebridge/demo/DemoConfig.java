package io.firehosebridge.demo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The demo producer: realistic click events written to the input topic, like Firehose's "test with demo data". */
@ConfigMapping(prefix = "bridge.demo")
public interface DemoConfig {

    /** Whether to produce demo click events (off in production, on in dev mode). */
    @WithDefault("false")
    boolean enabled();

    /** Topic the demo events are written to. */
    @WithDefault("clicks")
    String topic();

    /** Events per second. */
    @WithDefault("20")
    int ratePerSecond();
}
