package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileConfig;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.jboss.logging.Logger;

import io.firehosebridge.ingest.RecordsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Installs a composable index template so every rotated index of the delivery stream maps the Kafka
 * coordinates exactly: topic as keyword, partition as integer, offset as long, timestamp as date.
 * Without it dynamic mapping makes the topic a text field, and exact reconciliation gets harder.
 * Retries in the background until the cluster answers; it never blocks startup.
 */
@ApplicationScoped
public class CoordinateIndexTemplate {

    private static final Logger LOG = Logger.getLogger(CoordinateIndexTemplate.class);

    @Inject
    RestClient search;

    @Inject
    ReconcileConfig config;

    @Inject
    RecordsConfig records;

    private ScheduledExecutorService retry;
    private volatile boolean installed;

    void start(@Observes StartupEvent event) {
        if (!config.installIndexTemplate()) {
            return;
        }
        retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "index-template");
            t.setDaemon(true);
            return t;
        });
        retry.execute(this::tryInstall);
    }

    private void tryInstall() {
        try {
            install();
            installed = true;
            LOG.infof("Index template %s installed for %s", config.indexTemplateName(), config.indexPattern());
        } catch (Exception e) {
            LOG.warnf("Cannot install index template %s yet (%s); retrying in 30 s", config.indexTemplateName(), e.getMessage());
            retry.schedule(this::tryInstall, Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Puts the template now. */
    public void install() throws java.io.IOException {
        Request request = new Request("PUT", "/_index_template/" + config.indexTemplateName());
        request.setJsonEntity(body(config.indexPattern(), records.metadataKey()));
        search.performRequest(request);
    }

    public boolean isInstalled() {
        return installed;
    }

    static String body(String indexPattern, String key) {
        return """
                {"index_patterns":["%s"],"priority":100,
                 "_meta":{"description":"Kafka coordinates written by kafka-firehose-bridge"},
                 "template":{"mappings":{"properties":{"%s":{"properties":{
                   "topic":{"type":"keyword"},"partition":{"type":"integer"},"offset":{"type":"long"},
                   "timestamp":{"type":"date","format":"epoch_millis"},"redriven":{"type":"boolean"}}}}}}}
                """.formatted(indexPattern, key);
    }

    void stop(@Observes ShutdownEvent event) {
        if (retry != null) {
            retry.shutdownNow();
        }
    }
}
