package io.firehosebridge.ingest;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Where the bridge's consumer group starts reading. */
@ConfigMapping(prefix = "bridge.ingest")
public interface IngestConfig {

    /**
     * Where a partition starts when the group has no committed offset for it: earliest, latest, or a timestamp (ISO-8601, or
     * epoch milliseconds). Unset, the channel's auto.offset.reset decides.
     */
    Optional<String> startPosition();
}
