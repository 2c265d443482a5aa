package io.firehosebridge.reconcile.scan;

import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.reconcile.ReconcileException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.ingest.RecordsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.Routes;

/**
 * Counts the documents of each offset of a partition range across every index of the pattern, exactly:
 * the range is cut into windows of {@code search-page-size} offsets, and each window is one composite
 * aggregation on the offset field, filtered by topic, partition and the window. Each bucket's document
 * count is the number of copies of that offset. A window holds at most as many distinct offsets as a
 * page has buckets, so it needs one request, and each request reads only its window's documents (paging
 * the whole range with {@code after_key} alone made every page visit every document of the range).
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
    Routes routes;

    @Inject
    ObjectMapper json;

    @Inject
    BackgroundWork background;

    private ExecutorService workers;
    /** Whether search hits can carry sequence numbers (false once the engine refused {@code seq_no_primary_term}). */
    private volatile boolean seqNoInHits = true;

    /** What the scan read. */
    public record Result(List<String> indices, long documents) {
    }

    /** {@link #scan} on a thread of this scanner's own, so the caller can read Kafka and the backup meanwhile. */
    public Future<Result> scanInBackground(String topic, int partition, OffsetTally tally, LongConsumer progress, BooleanSupplier cancelled) {
        return workers().submit(() -> scan(topic, partition, tally, progress, cancelled));
    }

    /**
     * Adds every copy of every offset of {@code [tally.from(), tally.to())} to the tally.
     *
     * @param progress told the offsets checked so far, as {@code from +} their number, after each window
     * @param cancelled checked between requests
     */
    public Result scan(String topic, int partition, OffsetTally tally, LongConsumer progress, BooleanSupplier cancelled) {
        Windows windows = new Windows(topic, partition, tally, progress, cancelled);
        List<Future<?>> helpers = new ArrayList<>();
        for (int i = 1; i < config.searchParallelism(); i++) {
            helpers.add(workers().submit(windows::work));
        }
        windows.work(); // the calling thread is one of the workers
        for (Future<?> helper : helpers) {
            try {
                helper.get();
            } catch (ExecutionException e) {
                windows.fail(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                windows.fail(e);
            }
        }
        if (windows.failure != null) {
            throw windows.failure instanceof RuntimeException r ? r : new IllegalStateException(windows.failure);
        }
        return new Result(new ArrayList<>(windows.indices), windows.documents);
    }

    /** The range's windows, taken in order by whichever worker is free; what they find goes into the tally under its lock. */
    private final class Windows {
        final String topic;
        final int partition;
        final OffsetTally tally;
        final LongConsumer progress;
        final BooleanSupplier cancelled;
        final AtomicLong next;
        final Set<String> indices = new TreeSet<>();
        long documents;
        long checked;
        volatile Throwable failure;

        Windows(String topic, int partition, OffsetTally tally, LongConsumer progress, BooleanSupplier cancelled) {
            this.topic = topic;
            this.partition = partition;
            this.tally = tally;
            this.progress = progress;
            this.cancelled = cancelled;
            this.next = new AtomicLong(tally.from());
        }

        void work() {
            int window = config.searchPageSize();
            try {
                while (failure == null && !cancelled.getAsBoolean()) {
                    long start = next.getAndAdd(window);
                    if (start >= tally.to()) {
                        return;
                    }
                    long end = Math.min(tally.to(), start + window);
                    Long after = null;
                    while (failure == null && !cancelled.getAsBoolean()) {
                        Page page = post(index(topic), body(topic, partition, start, end, after));
                        synchronized (this) {
                            for (int i = 0; i < page.buckets(); i++) {
                                tally.add(page.offsets()[i], page.copies()[i]);
                                documents += page.copies()[i];
                            }
                            indices.addAll(page.indices());
                        }
                        // At most `window` distinct offsets: a page that is not full, or ends at the window's last offset, is the last.
                        if (page.buckets() < window || page.lastOffset() >= end - 1) {
                            break;
                        }
                        after = page.lastOffset();
                    }
                    synchronized (this) {
                        checked += end - start;
                        progress.accept(tally.from() + checked);
                    }
                }
            } catch (RuntimeException | Error e) {
                fail(e);
                throw e;
            }
        }

        synchronized void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
        }
    }

    private String body(String topic, int partition, long start, long end, Long after) {
        String key = records.metadataKey();
        ObjectNode body = json.createObjectNode();
        body.put("size", 0);
        body.put("track_total_hits", false);
        var filter = coordinates(body, topic, partition);
        ObjectNode range = filter.addObject().putObject("range").putObject(key + ".offset");
        range.put("gte", start);
        range.put("lt", end);
        ObjectNode aggs = body.putObject("aggs");
        ObjectNode composite = aggs.putObject("offsets").putObject("composite");
        composite.put("size", config.searchPageSize());
        composite.putArray("sources").addObject().putObject("offset").putObject("terms").put("field", key + ".offset");
        if (after != null) {
            composite.putObject("after").put("offset", after);
        }
        aggs.putObject("indices").putObject("terms").put("field", "_index").put("size", 1000);
        return body.toString();
    }

    /** The query's filter list, holding the topic and partition terms; the caller adds the offsets. */
    private com.fasterxml.jackson.databind.node.ArrayNode coordinates(ObjectNode body, String topic, int partition) {
        String key = records.metadataKey();
        var filter = body.putObject("query").putObject("bool").putArray("filter");
        // The template maps the topic as keyword; an index created before it has dynamic text + .keyword.
        ObjectNode topicMatch = filter.addObject().putObject("bool");
        topicMatch.putArray("should").addObject().putObject("term").put(key + ".topic", topic);
        topicMatch.withArray("should").addObject().putObject("term").put(key + ".topic.keyword", topic);
        topicMatch.put("minimum_should_match", 1);
        filter.addObject().putObject("term").put(key + ".partition", partition);
        return filter;
    }

    /** One answer: the offsets found with their copies, in key order, and the indices they were found in. */
    private record Page(int buckets, long[] offsets, long[] copies, List<String> indices) {
        long lastOffset() {
            return buckets == 0 ? -1 : offsets[buckets - 1];
        }
    }

    /** The index patterns of the streams the topic's records go to (several, comma-separated, for a topic routed by a field). */
    private String index(String topic) {
        return routes.routing(topic).streams().stream().filter(Route::searched).map(Route::index).distinct().collect(Collectors.joining(","));
    }

    private Page post(String index, String body) {
        Request request = new Request("POST", "/" + index + "/_search");
        request.addParameter("ignore_unavailable", "true");
        request.addParameter("allow_no_indices", "true");
        request.setJsonEntity(body);
        try {
            Response response = search.performRequest(request);
            try (InputStream in = response.getEntity().getContent(); JsonParser p = json.getFactory().createParser(in)) {
                return read(p);
            }
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            throw ReconcileException.unavailable("Search cluster", "The search cluster answered HTTP " + status
                    + " to the reconciliation query on '" + index + "'; check that the coordinate fields are mapped (index template "
                    + config.indexTemplateName() + ") and the cluster is healthy");
        } catch (IOException e) {
            throw ReconcileException.unavailable("Search cluster", "The search cluster (quarkus.elasticsearch.hosts) cannot be reached: "
                    + (e.getMessage() == null ? "no answer" : e.getMessage()));
        }
    }

    /**
     * Streams {@code {"aggregations":{"offsets":{"buckets":[{"key":{"offset":n},"doc_count":c}, ...]},
     * "indices":{"buckets":[{"key":"name"}, ...]}}}} without building a tree; an answer without
     * aggregations (no index matched the pattern) reads as no buckets.
     */
    private Page read(JsonParser p) throws IOException {
        int buckets = 0;
        long[] offsets = new long[config.searchPageSize()];
        long[] copies = new long[config.searchPageSize()];
        List<String> indices = new ArrayList<>(1);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw unreadable("not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT || !"aggregations".equals(field)) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String agg = p.currentName();
                p.nextToken();
                if (!p.isExpectedStartObjectToken()) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean bucketList = "buckets".equals(p.currentName());
                    if (p.nextToken() != JsonToken.START_ARRAY || !bucketList) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        if ("offsets".equals(agg)) {
                            if (buckets == offsets.length) {
                                throw unreadable("more buckets than the page size");
                            }
                            offsetBucket(p, offsets, copies, buckets++);
                        } else if ("indices".equals(agg)) {
                            indexBucket(p, indices);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            }
        }
        return new Page(buckets, offsets, copies, indices);
    }

    /** {@code {"key":{"offset":n},"doc_count":c}} into slot {@code i}; the parser ends on the bucket's END_OBJECT. */
    private static void offsetBucket(JsonParser p, long[] offsets, long[] copies, int i) throws IOException {
        long offset = -1;
        long count = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("doc_count".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                count = p.getLongValue();
            } else if ("key".equals(field) && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String source = p.currentName();
                    JsonToken v = p.nextToken();
                    if ("offset".equals(source) && v == JsonToken.VALUE_NUMBER_INT) {
                        offset = p.getLongValue();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (offset < 0) {
            throw unreadable("a bucket without an offset key");
        }
        offsets[i] = offset;
        copies[i] = count;
    }

    private static ReconcileException unreadable(String why) {
        return ReconcileException.unavailable("Search cluster", "The search cluster's answer to the reconciliation query cannot be read: " + why);
    }

    private static void indexBucket(JsonParser p, List<String> indices) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("key".equals(field) && value == JsonToken.VALUE_STRING) {
                indices.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
    }

    /**
     * The offsets of {@code [start, end)} with more than one document, with their copy counts, in offset
     * order: the same composite aggregation as {@link #scan}, paged with {@code after_key}.
     */
    public List<PartitionReport.OffsetCopies> duplicated(String topic, int partition, long start, long end) {
        List<PartitionReport.OffsetCopies> out = new ArrayList<>();
        Long after = null;
        while (true) {
            Page page = post(index(topic), body(topic, partition, start, end, after));
            for (int i = 0; i < page.buckets(); i++) {
                if (page.copies()[i] > 1) {
                    out.add(new PartitionReport.OffsetCopies(page.offsets()[i], page.copies()[i]));
                }
            }
            if (page.buckets() < config.searchPageSize() || page.lastOffset() >= end - 1) {
                return out;
            }
            after = page.lastOffset();
        }
    }

    /**
     * Every document of these offsets of the partition (at most {@code size}), each with its index, id and
     * version (sequence number and primary term where the engine gives them), so a delete can name exactly
     * that copy; the coordinates are read from each document's source.
     */
    public List<IndexedCopy> copies(String topic, int partition, List<Long> offsets, int size) {
        String key = records.metadataKey();
        com.fasterxml.jackson.databind.JsonNode answer;
        while (true) {
            ObjectNode body = json.createObjectNode();
            body.put("size", size);
            boolean withSeqNo = seqNoInHits;
            if (withSeqNo) {
                body.put("seq_no_primary_term", true);
            }
            body.put("version", true);
            body.putArray("_source").add(key + ".topic").add(key + ".partition").add(key + ".offset");
            var filter = coordinates(body, topic, partition);
            var terms = filter.addObject().putObject("terms").putArray(key + ".offset");
            offsets.forEach(terms::add);
            Request request = new Request("POST", "/" + index(topic) + "/_search");
            request.addParameter("ignore_unavailable", "true");
            request.addParameter("allow_no_indices", "true");
            request.setJsonEntity(body.toString());
            try (InputStream in = search.performRequest(request).getEntity().getContent()) {
                answer = json.readTree(in);
                break;
            } catch (ResponseException e) {
                int status = e.getResponse().getStatusLine().getStatusCode();
                if (status == 400 && withSeqNo) {
                    // Engines before Elasticsearch 6.7 do not know seq_no_primary_term: deletes then name the version.
                    seqNoInHits = false;
                    continue;
                }
                throw ReconcileException.unavailable("Search cluster", "The search cluster answered HTTP " + status
                        + " to the query listing the copies of duplicated offsets on '" + index(topic) + "'");
            } catch (IOException e) {
                throw ReconcileException.unavailable("Search cluster", "The search cluster (quarkus.elasticsearch.hosts) cannot be reached: "
                        + (e.getMessage() == null ? "no answer" : e.getMessage()));
            }
        }
        List<IndexedCopy> out = new ArrayList<>();
        for (var hit : answer.path("hits").path("hits")) {
            var coordinates = hit.path("_source").path(key);
            var t = coordinates.path("topic");
            var p = coordinates.path("partition");
            var o = coordinates.path("offset");
            out.add(new IndexedCopy(hit.path("_index").asText(), hit.hasNonNull("_type") ? hit.get("_type").asText() : null,
                    hit.path("_id").asText(), longOrNull(hit.get("_seq_no")), longOrNull(hit.get("_primary_term")), longOrNull(hit.get("_version")),
                    t.isTextual() ? t.asText() : null, p.isIntegralNumber() && p.canConvertToInt() ? p.asInt() : null,
                    o.isIntegralNumber() && o.canConvertToLong() ? o.asLong() : null));
        }
        return out;
    }

    private static Long longOrNull(com.fasterxml.jackson.databind.JsonNode n) {
        return n != null && n.isIntegralNumber() ? n.asLong() : null;
    }

    private synchronized ExecutorService workers() {
        if (workers == null) {
            workers = background.elasticPool("reconcile-search");
        }
        return workers;
    }

    @PreDestroy
    synchronized void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
