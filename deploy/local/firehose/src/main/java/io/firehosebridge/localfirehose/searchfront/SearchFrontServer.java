package io.firehosebridge.localfirehose.searchfront;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;
import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.CredentialStore;

import java.time.Clock;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Runs the {@link SearchFront} when {@code local-firehose.search-front.enabled}: it starts before the Firehose endpoint,
 * whose streams may deliver through it, and stops after that endpoint has delivered what it held.
 */
@ApplicationScoped
public class SearchFrontServer {

    private static final Logger LOG = Logger.getLogger(SearchFrontServer.class);

    private final LocalFirehoseConfig config;
    private final CredentialStore credentials;
    private final Clock clock;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final AuthCounts counts;
    private SearchFront front;
    private volatile int port = -1;

    @Inject
    public SearchFrontServer(LocalFirehoseConfig config, CredentialStore credentials, AuthCounts counts, StackClock clock, Vertx vertx,
            ObjectMapper mapper) {
        this.counts = counts;
        this.config = config;
        this.credentials = credentials;
        this.clock = clock;
        this.vertx = vertx;
        this.mapper = mapper;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        LocalFirehoseConfig.SearchFront settings = config.searchFront();
        if (!settings.enabled()) {
            return;
        }
        SearchFrontMode mode = SearchFrontMode.parse(settings.mode());
        front = new SearchFront(vertx, mode, credentials, config.region(), config.auth().allowedSkew(), clock, config.searchUrl(),
                settings.maxRequestBytes(), mapper, counts);
        port = front.listen(settings.host(), settings.port());
        LOG.infof("Search front (%s) listening on %s: SigV4 for service %s, region %s, the keys of the Firehose API (%s); passes to %s",
                mode == SearchFrontMode.ES ? "an OpenSearch Service domain" : "an OpenSearch Serverless collection", url(),
                mode.service(), config.region(), config.auth().accessKeyId(), config.searchUrl());
    }

    void onStop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 500) ShutdownEvent event) {
        if (front == null) {
            return;
        }
        try {
            front.close();
        } catch (Exception e) {
            LOG.warnf("Search front did not close cleanly: %s", e.toString());
        }
        front = null;
        port = -1;
    }

    /** The port the front listens on, or -1 when it does not run. */
    public int port() {
        return port;
    }

    /** The front's base URL, e.g. {@code http://127.0.0.1:9201}; null when it does not run. */
    public String url() {
        return port < 0 ? null : "http://" + config.searchFront().host() + ":" + port;
    }
}
