package io.firehosebridge.coverage;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The coverage page ({@code /coverage/}): how often it follows the ledger and how much detail one bar carries. */
@ConfigMapping(prefix = "bridge.coverage")
public interface CoverageConfig {

    /** How often the open page asks for the ledger's coverage again (it follows the verifier without reloading). */
    @WithDefault("5s")
    Duration refreshInterval();

    /** Most stretches one side of a partition's bar lists; beyond it, neighbouring stretches are merged (their counts stay exact). */
    @WithDefault("400")
    int maxStretches();
}
