package io.firehosebridge.reconcile.scan;

import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.search.SearchEngine;

/** The engine of the search cluster the reconciliation reads, asked once ({@code GET /}) and remembered. */
@ApplicationScoped
public class SearchClusterEngine {

    private static final Logger LOG = Logger.getLogger(SearchClusterEngine.class);

    @Inject
    RestClient search;

    @Inject
    ObjectMapper json;

    private volatile SearchEngine engine;

    /** The cluster's engine; asks the cluster the first time (and again after a failed attempt). */
    public SearchEngine get() throws IOException {
        SearchEngine known = engine;
        if (known == null) {
            try (InputStream in = search.performRequest(new Request("GET", "/")).getEntity().getContent()) {
                known = SearchEngine.fromRoot(json.readTree(in));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            engine = known;
            LOG.infof("Search cluster: %s", known);
        }
        return known;
    }
}
