package io.firehosebridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** Which streams on the shared endpoint are a test run's, and when that run started: what the cleanup of old ones reads. */
class LocalStreamsTest {

    @Test
    void aRunsStreamNamesTellWhenTheRunStarted() {
        Instant start = Instant.ofEpochMilli(Long.parseLong(LocalStackResource.RUN.substring(0, LocalStackResource.RUN.indexOf('-')), 36));
        assertThat(LocalStreams.runStart("it-clicks-" + LocalStackResource.RUN)).isEqualTo(start);
        assertThat(LocalStreams.runStart("interest-service-click-" + LocalStackResource.RUN)).isEqualTo(start);
        assertThat(LocalStreams.runStart("devmode-" + LocalStackResource.RUN)).isEqualTo(start);
        assertThat(start).isBetween(Instant.now().minusSeconds(3600), Instant.now());
    }

    @Test
    void streamsOfPeopleAndOfTheStackAreNeverARunsStreams() {
        assertThat(LocalStreams.runStart("clicks")).isNull();
        assertThat(LocalStreams.runStart("interest-service-click")).isNull();
        assertThat(LocalStreams.runStart("faults-search-abc")).isNull();
        assertThat(LocalStreams.runStart("it-clicks-mine")).isNull();
        assertThat(LocalStreams.runStart("devmode-clicks-" + LocalStackResource.RUN)).isNull();
    }
}
