package io.firehosebridge.reconcile;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where delivered records are looked for: the search indices and the S3 backup of the delivery stream. */
@ConfigMapping(prefix = "bridge.reconcile")
public interface ReconcileConfig {

    /** Index pattern covering every rotated index of the delivery stream, e.g. {@code clicks*}. */
    @WithDefault("clicks*")
    String indexPattern();

    /** Whether to install an index template that maps the Kafka coordinate fields to exact types. */
    @WithDefault("true")
    boolean installIndexTemplate();

    /** Name of that index template. */
    @WithDefault("kafka-firehose-bridge-coordinates")
    String indexTemplateName();

    /** Bucket of the delivery stream's S3 backup. */
    @WithDefault("clicks-backup")
    String backupBucket();

    /** Key prefix of the S3 backup (the stream's S3 prefix); unset for Firehose's default layout. */
    java.util.Optional<String> backupPrefix();

    /** How long after it was sent a record may still be on its way (buffer interval plus allowance); missing records younger than this are PENDING. */
    @WithDefault("10m")
    Duration deliveryWindow();
}
