package io.firehosebridge.reconcile;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.DeliveredOffsets;
import io.firehosebridge.testing.SearchEngineUnderTest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Test-side tampering with the destinations: delete and copy documents and backup objects, independently of the service. */
public final class SearchAndBackup {

    public static final String BUCKET = "clicks-backup";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SearchAndBackup() {
    }

    /** A document in the index: where it is (its mapping type too, on Elasticsearch 6.x; else null) and its source. */
    public record Doc(String index, String type, String id, long offset, JsonNode source) {
    }

    /** The documents of these offsets of one partition of the topic. */
    public static List<Doc> docs(String topic, int partition, Collection<Long> offsets) throws Exception {
        StringBuilder terms = new StringBuilder();
        for (long o : offsets) {
            terms.append(terms.length() == 0 ? "" : ",").append(o);
        }
        String query = "{\"size\":10000,\"query\":{\"bool\":{\"filter\":[{\"bool\":{\"should\":[{\"term\":{\"kafka.topic\":\"" + topic
                + "\"}},{\"term\":{\"kafka.topic.keyword\":\"" + topic + "\"}}],\"minimum_should_match\":1}},{\"term\":{\"kafka.partition\":"
                + partition + "}},{\"terms\":{\"kafka.offset\":[" + terms + "]}}]}}}";
        // An index created a moment ago (by this test's delivery or another's) answers 503 until its primary shard is active.
        send("GET", "/_cluster/health/clicks*?wait_for_status=yellow&timeout=30s", "");
        JsonNode page = JSON.readTree(send("POST", "/clicks*/_search", query));
        List<Doc> docs = new ArrayList<>();
        for (JsonNode hit : page.path("hits").path("hits")) {
            docs.add(new Doc(hit.get("_index").asText(), hit.path("_type").isTextual() && !"_doc".equals(hit.path("_type").asText())
                    ? hit.get("_type").asText() : null, hit.get("_id").asText(), hit.path("_source").path("kafka").path("offset").asLong(),
                    hit.get("_source")));
        }
        return docs;
    }

    /** Deletes documents by id through _bulk (the cluster has no _delete_by_query) and refreshes. */
    public static void delete(List<Doc> docs) throws Exception {
        StringBuilder bulk = new StringBuilder();
        for (Doc d : docs) {
            bulk.append("{\"delete\":{").append(location(d)).append(",\"_id\":\"").append(d.id()).append("\"}}\n");
        }
        bulk(bulk.toString());
    }

    /** Indexes another copy of each document (new ids) and refreshes. */
    public static void copy(List<Doc> docs) throws Exception {
        StringBuilder bulk = new StringBuilder();
        for (Doc d : docs) {
            bulk.append("{\"index\":{").append(location(d)).append("}}\n").append(JSON.writeValueAsString(d.source())).append('\n');
        }
        bulk(bulk.toString());
    }

    // Elasticsearch 6.x needs the mapping type in every bulk action.
    private static String location(Doc d) {
        return "\"_index\":\"" + d.index() + "\"" + (d.type() == null ? "" : ",\"_type\":\"" + d.type() + "\"");
    }

    private static void bulk(String body) throws Exception {
        JsonNode answer = JSON.readTree(send("POST", "/_bulk", body));
        if (answer.path("errors").asBoolean()) {
            throw new IllegalStateException("bulk failed: " + answer);
        }
        send("POST", "/clicks*/_refresh", "");
    }

    private static String send(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + path))
                .header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** A backup object and the offsets of the topic it holds, per partition. */
    record BackupObject(String key, Map<Integer, List<Long>> offsets) {
        long lines(int partition) {
            return offsets.getOrDefault(partition, List.of()).size();
        }
    }

    /** Backup objects (not failed documents; GZIP ones read through it) written since {@code since} that hold records of the topic, smallest first. */
    static List<BackupObject> objects(String topic, Instant since) throws Exception {
        List<BackupObject> out = new ArrayList<>();
        try (S3Client s3 = DeliveredOffsets.s3()) {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
                if (object.lastModified().isBefore(since.minusSeconds(5)) || object.key().contains("failed/")) {
                    continue;
                }
                Map<Integer, List<Long>> offsets = new HashMap<>();
                InputStream in = s3.getObject(b -> b.bucket(BUCKET).key(object.key()));
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(object.key().endsWith(".gz") ? new GZIPInputStream(in) : in,
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        JsonNode kafka = JSON.readTree(line).path("kafka");
                        if (topic.equals(kafka.path("topic").asText())) {
                            offsets.computeIfAbsent(kafka.get("partition").asInt(), k -> new ArrayList<>()).add(kafka.get("offset").asLong());
                        }
                    }
                }
                if (!offsets.isEmpty()) {
                    out.add(new BackupObject(object.key(), offsets));
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(o -> o.offsets().values().stream().mapToLong(List::size).sum()));
        return out;
    }

    static void deleteObject(String key) {
        try (S3Client s3 = DeliveredOffsets.s3()) {
            s3.deleteObject(b -> b.bucket(BUCKET).key(key));
        }
    }

    static void copyObject(String key, String to) {
        try (S3Client s3 = DeliveredOffsets.s3()) {
            s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey(key).destinationBucket(BUCKET).destinationKey(to));
        }
    }

    /** Offsets folded into inclusive [first, last] pairs, the way the report lists them. */
    static List<List<Long>> fold(Collection<Long> offsets) {
        List<List<Long>> ranges = new ArrayList<>();
        long first = -1;
        long last = -2;
        for (long o : new TreeSet<>(offsets)) {
            if (o != last + 1) {
                if (first >= 0) {
                    ranges.add(List.of(first, last));
                }
                first = o;
            }
            last = o;
        }
        if (first >= 0) {
            ranges.add(List.of(first, last));
        }
        return ranges;
    }
}
