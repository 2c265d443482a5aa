package io.firehosebridge.reconcile;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.firehosebridge.ingest.RecordsConfig;

/**
 * Counts the documents of each offset of a partition range across every index of the pattern, exactly:
 * a composite aggregation on the offset field, filtered by topic, partition and range, paged with
 * {@code after_key}. Each bucket's document count is the number of copies of that offset.
 */
@ApplicationScoped
public class SearchScanner {

    @Inject
    RestClient search;

    @Inject
    ReconcileConfig config;

    @Inject
    RecordsConfig records;

    @Inject
    ObjectMapper json;

    /** What the scan read. */
    public record Result(List<String> indices, long documents) {
    }

    /**
     * Adds every copy of every offset of {@code [tally.from(), tally.to())} to the tally.
     *
     * @param progress told the offset reached after each page
     * @param cancelled checked between pages
     */
    public Result scan(String topic, int partition, OffsetTally tally, LongConsumer progress, BooleanSupplier cancelled) {
        String key = records.metadataKey();
        List<String> indices = new ArrayList<>();
        long documents = 0;
        Long after = null;
        boolean first = true;
        while (!cancelled.getAsBoolean()) {
            ObjectNode body = json.createObjectNode();
            body.put("size", 0);
            body.put("track_total_hits", false);
            ObjectNode bool = body.putObject("query").putObject("bool");
            var filter = bool.putArray("filter");
            // The template maps the topic as keyword; an index created before it has dynamic text + .keyword.
            ObjectNode topicMatch = filter.addObject().putObject("bool");
            topicMatch.putArray("should").addObject().putObject("term").put(key + ".topic", topic);
            topicMatch.withArray("should").addObject().putObject("term").put(key + ".topic.keyword", topic);
            topicMatch.put("minimum_should_match", 1);
            filter.addObject().putObject("term").put(key + ".partition", partition);
            ObjectNode range = filter.addObject().putObject("range").putObject(key + ".offset");
            range.put("gte", tally.from());
            range.put("lt", tally.to());
            ObjectNode aggs = body.putObject("aggs");
            ObjectNode composite = aggs.putObject("offsets").putObject("composite");
            composite.put("size", config.searchPageSize());
            composite.putArray("sources").addObject().putObject("offset").putObject("terms").put("field", key + ".offset");
            if (after != null) {
                composite.putObject("after").put("offset", after);
            }
            if (first) {
                aggs.putObject("indices").putObject("terms").put("field", "_index").put("size", 1000);
            }
            JsonNode response = post(body);
            if (first) {
                for (JsonNode b : response.path("aggregations").path("indices").path("buckets")) {
                    indices.add(b.path("key").asText());
                }
                first = false;
            }
            JsonNode offsets = response.path("aggregations").path("offsets");
            JsonNode buckets = offsets.path("buckets");
            for (JsonNode b : buckets) {
                long copies = b.path("doc_count").asLong();
                tally.add(b.path("key").path("offset").asLong(), copies);
                documents += copies;
            }
            if (buckets.size() < config.searchPageSize() || !offsets.has("after_key")) {
                break;
            }
            after = offsets.path("after_key").path("offset").asLong();
            progress.accept(after + 1);
        }
        return new Result(indices, documents);
    }

    private JsonNode post(ObjectNode body) {
        Request request = new Request("POST", "/" + config.indexPattern() + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.addParameter("allow_no_indices", "true");
        request.setJsonEntity(body.toString());
        try {
            Response response = search.performRequest(request);
            try (InputStream in = response.getEntity().getContent()) {
                return json.readTree(in);
            }
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            throw ApiException.unavailable("Search cluster", "The search cluster answered HTTP " + status
                    + " to the reconciliation query on '" + config.indexPattern() + "'; check that the coordinate fields are mapped (index template "
                    + config.indexTemplateName() + ") and the cluster is healthy");
        } catch (IOException e) {
            throw ApiException.unavailable("Search cluster", "The search cluster (quarkus.elasticsearch.hosts) cannot be reached: "
                    + (e.getMessage() == null ? "no answer" : e.getMessage()));
        }
    }
}
