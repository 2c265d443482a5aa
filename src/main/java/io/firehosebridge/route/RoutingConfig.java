package io.firehosebridge.route;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Which delivery stream each topic's records go to ({@code bridge.routing}). Without routes every record goes to
 * {@code bridge.delivery.delivery-stream}, checked in {@code bridge.reconcile}'s index pattern and backup, as before routes
 * existed.
 */
@ConfigMapping(prefix = "bridge.routing")
public interface RoutingConfig {

    /** Named routes, e.g. {@code bridge.routing.routes.web.topics=clicks-web}. */
    Map<String, RouteConfig> routes();

    /** What happens to a record of a topic no route names: {@code default} (to bridge.delivery.delivery-stream) or {@code drop} (counted, never sent). */
    @WithDefault("default")
    Unmatched unmatched();

    /** The fate of records whose topic matches no route. */
    enum Unmatched {
        /** To the default stream, bridge.delivery.delivery-stream, checked where bridge.reconcile says. */
        DEFAULT,
        /** Not sent: acknowledged, counted in bridge_records_dropped_total and reported as dropped by reconciliation. */
        DROP
    }

    /** One route: the topics it takes and the delivery stream, with its destinations, they go to. */
    interface RouteConfig {

        /** The topics this route takes, by name; or set topic-pattern instead. */
        Optional<List<String>> topics();

        /** A regular expression on whole topic names (Java syntax); routes listing a topic by name win over patterns. */
        Optional<String> topicPattern();

        /** The Firehose delivery stream the records go to. */
        String deliveryStream();

        /** Index pattern covering the stream's rotated indices, e.g. {@code web-clicks*}; unset for a stream whose only destination is S3. */
        Optional<String> indexPattern();

        /** Bucket of the stream's S3 backup (or its only destination). */
        String backupBucket();

        /** The stream's S3 Prefix as configured in Firehose (with !{timestamp:...} expressions); unset for Firehose's default layout. */
        Optional<String> backupPrefix();

        /** The stream's S3 ErrorOutputPrefix as configured in Firehose; unset: failed documents are under the backup prefix. */
        Optional<String> errorOutputPrefix();

        /**
         * A top-level field of the records' JSON: with {@code values}, the route takes only the records of its topics whose
         * field has one of those values; records of the topics that no such route takes go to the topic's route without a field.
         */
        Optional<String> field();

        /** The values of {@code field} this route takes (one value: equals; several: one of), compared as text. */
        Optional<List<String>> values();

        /** Ceiling on records/s sent to this stream (e.g. its quota); unset: bridge.delivery.max-records-per-second. */
        OptionalDouble maxRecordsPerSecond();
    }
}
