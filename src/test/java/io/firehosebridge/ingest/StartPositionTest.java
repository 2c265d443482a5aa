package io.firehosebridge.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.StartPosition.Kind;
import io.quarkus.runtime.configuration.ConfigurationException;

/** What bridge.ingest.start-position accepts, and the message that stops a start on anything else. */
class StartPositionTest {

    @Test
    void readsEarliestLatestAnIsoTimeWithItsOffsetAndEpochMillis() {
        assertThat(StartPosition.parse("earliest").kind()).isEqualTo(Kind.EARLIEST);
        assertThat(StartPosition.parse(" LATEST ").kind()).isEqualTo(Kind.LATEST);
        Instant monday = Instant.parse("2026-11-30T00:00:00Z");
        assertThat(StartPosition.parse("2026-11-30T00:00:00Z")).isEqualTo(new StartPosition(Kind.TIMESTAMP, monday));
        assertThat(StartPosition.parse("2026-11-30T01:00:00+01:00").time()).isEqualTo(monday);
        assertThat(StartPosition.parse("2026-11-30T00:00:00.250Z").time()).isEqualTo(monday.plusMillis(250));
        assertThat(StartPosition.parse(Long.toString(monday.toEpochMilli())).time()).isEqualTo(monday);
        assertThat(StartPosition.parse("2026-11-30T01:00:00+01:00")).hasToString("2026-11-30T00:00:00Z");
    }

    @Test
    void refusesAnythingElseNamingTheSetting() {
        for (String bad : new String[] { "", "yesterday", "earliest-ish", "2026-11-30", "2026-11-30T00:00:00", "30/11/2026",
                "99999999999999999999" }) {
            assertThatThrownBy(() -> StartPosition.parse(bad)).as("'%s'", bad).isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith("Invalid setting bridge.ingest.start-position: '" + bad + "'");
        }
        assertThatThrownBy(() -> StartPosition.parse("2026-11-30T00:00:00")).hasMessageContaining("an ISO-8601 time with its offset");
    }

    @Test
    void refusesEpochSecondsGivenForMilliseconds() {
        assertThatThrownBy(() -> StartPosition.parse("1764460800")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.ingest.start-position").hasMessageContaining("epoch seconds given by mistake");
        assertThatThrownBy(() -> StartPosition.parse("-1")).hasMessageContaining("bridge.ingest.start-position");
    }

    @Test
    void aBadValueStopsTheStartWhenTheSettingIsRead() {
        IngestConfig config = () -> Optional.of("last monday");
        assertThatThrownBy(() -> new GroupStart(config, "earliest")).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Invalid setting bridge.ingest.start-position: 'last monday'");
    }
}
