package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileConfig;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.jboss.logging.Logger;

import io.firehosebridge.background.Backoff;
import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.RepeatedFailure;
import io.firehosebridge.background.TimedTask;
import io.firehosebridge.ingest.RecordsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;
import io.firehosebridge.search.SearchEngine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Installs an index template so every rotated index of the delivery stream maps the Kafka coordinates
 * exactly: topic as keyword, partition as integer, offset as long, timestamp as date. Without it dynamic
 * mapping makes the topic a text field, and exact reconciliation gets harder. The template is composable
 * ({@code _index_template}) where the engine has those (OpenSearch, Elasticsearch 7.8 on), else a legacy
 * {@code _template}, with the fields under the {@code _default_} mapping type on Elasticsearch 6.x, so that
 * they apply whatever TypeName the delivery stream writes. Retries in the background until the cluster
 * answers ({@link #RETRY}); it never blocks startup.
 */
@ApplicationScoped
public class CoordinateIndexTemplate {

    private static final Logger LOG = Logger.getLogger(CoordinateIndexTemplate.class);
    private static final String DESCRIPTION = "Kafka coordinates written by kafka-firehose-bridge";
    /** A cluster still starting is tried again within seconds; one that stays away, at most every 30 s. */
    static final Backoff RETRY = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(30));

    @Inject
    RestClient search;

    @Inject
    SearchClusterEngine engine;

    @Inject
    ReconcileConfig config;

    @Inject
    Routes routes;

    @Inject
    RecordsConfig records;

    @Inject
    BackgroundWork background;

    private final RepeatedFailure failures = new RepeatedFailure(LOG);
    private TimedTask installer;
    private volatile boolean installed;

    void start(@Observes StartupEvent event) {
        if (!config.installIndexTemplate() || indexPatterns().isEmpty()) {
            return; // S3-only streams have no index to map
        }
        installer = background.retry("index-template", RETRY, this::tryInstall);
    }

    private boolean tryInstall() {
        try {
            install();
            installed = true;
            LOG.infof("Index template %s installed for %s on %s", config.indexTemplateName(), String.join(", ", indexPatterns()), engine.get());
            return true;
        } catch (Exception e) {
            failures.warn(e, "Cannot install index template %s yet; retrying", config.indexTemplateName());
            return false;
        }
    }

    /** Puts the template now, in the shape the cluster's engine takes. */
    public void install() throws java.io.IOException {
        search.performRequest(request(engine.get(), config.indexTemplateName(), indexPatterns(), records.metadataKey()));
    }

    /** The index patterns of every stream that indexes into search. */
    private List<String> indexPatterns() {
        return routes.streams().stream().filter(Route::searched).map(Route::index).distinct().toList();
    }

    public boolean isInstalled() {
        return installed;
    }

    /** The request that puts the template on a cluster of this engine. */
    static Request request(SearchEngine engine, String name, List<String> indexPatterns, String key) {
        String patterns = indexPatterns.stream().map(p -> '"' + p + '"').collect(Collectors.joining(","));
        String properties = """
                {"%s":{"properties":{
                   "topic":{"type":"keyword"},"partition":{"type":"integer"},"offset":{"type":"long"},
                   "timestamp":{"type":"date","format":"epoch_millis"},"redriven":{"type":"boolean"}}}}""".formatted(key);
        Request request;
        if (engine.composableTemplates()) {
            request = new Request("PUT", "/_index_template/" + name);
            request.setJsonEntity("""
                    {"index_patterns":[%s],"priority":100,"_meta":{"description":"%s"},
                     "template":{"mappings":{"properties":%s}}}
                    """.formatted(patterns, DESCRIPTION, properties));
        } else {
            request = new Request("PUT", "/_template/" + name);
            String mappings = "{\"_meta\":{\"description\":\"" + DESCRIPTION + "\"},\"properties\":" + properties + "}";
            request.setJsonEntity("""
                    {"index_patterns":[%s],"order":100,"mappings":%s}
                    """.formatted(patterns, engine.mappingTypes() ? "{\"_default_\":" + mappings + "}" : mappings));
        }
        return request;
    }

    void stop(@Observes ShutdownEvent event) {
        if (installer != null) {
            installer.stopNow();
        }
    }
}
