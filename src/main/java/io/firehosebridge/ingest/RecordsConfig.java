package io.firehosebridge.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How consumed records are validated and enriched. */
@ConfigMapping(prefix = "bridge.records")
public interface RecordsConfig {

    /** Top-level key under which each document carries its Kafka topic, partition, offset and timestamp. */
    @WithDefault("kafka")
    String metadataKey();

    /** Deepest nesting of objects and arrays accepted (OpenSearch's default mapping depth limit is 20). */
    @WithDefault("20")
    int maxDepth();
}
