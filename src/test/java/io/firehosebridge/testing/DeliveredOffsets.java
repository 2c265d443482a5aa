package io.firehosebridge.testing;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An independent count of which Kafka offsets of a topic reached the search index and the S3 backup:
 * plain HTTP searches and S3 reads, nothing from the service's own reconciliation code.
 */
public final class DeliveredOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Copies of each (partition, offset) seen: key is partition * 2^40 + offset. */
    private final Map<Long, Integer> copies = new HashMap<>();

    private DeliveredOffsets() {
    }

    public static long key(int partition, long offset) {
        return ((long) partition << 40) + offset;
    }

    public int copies(int partition, long offset) {
        return copies.getOrDefault(key(partition, offset), 0);
    }

    /** Offsets in [from, to) of the partition seen zero times. */
    public long missing(int partition, long from, long to) {
        long missing = 0;
        for (long o = from; o < to; o++) {
            if (copies(partition, o) == 0) {
                missing++;
            }
        }
        return missing;
    }

    /** Extra copies of offsets in [from, to) of the partition (a record seen 3 times counts 2). */
    public long duplicates(int partition, long from, long to) {
        long extra = 0;
        for (long o = from; o < to; o++) {
            extra += Math.max(0, copies(partition, o) - 1);
        }
        return extra;
    }

    private void add(JsonNode kafka) {
        copies.merge(key(kafka.get("partition").asInt(), kafka.get("offset").asLong()), 1, Integer::sum);
    }

    /** Every document of the topic in the indices matching the pattern, read with a scroll. */
    public static DeliveredOffsets inSearch(String indexPattern, String topic) throws Exception {
        DeliveredOffsets found = new DeliveredOffsets();
        String query = "{\"bool\":{\"should\":[{\"term\":{\"kafka.topic\":\"" + topic + "\"}},{\"term\":{\"kafka.topic.keyword\":\"" + topic
                + "\"}}],\"minimum_should_match\":1}}";
        JsonNode page = post("/" + indexPattern + "/_search?scroll=1m&ignore_unavailable=true&allow_no_indices=true",
                "{\"size\":10000,\"_source\":[\"kafka\"],\"query\":" + query + ",\"sort\":[\"_doc\"]}");
        while (true) {
            JsonNode hits = page.path("hits").path("hits");
            if (hits.isEmpty()) {
                if (page.hasNonNull("_scroll_id")) {
                    HTTP.send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + "/_search/scroll"))
                            .header("Content-Type", "application/json")
                            .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"scroll_id\":\"" + page.get("_scroll_id").asText() + "\"}"))
                            .build(), HttpResponse.BodyHandlers.discarding());
                }
                return found;
            }
            for (JsonNode hit : hits) {
                found.add(hit.path("_source").path("kafka"));
            }
            page = post("/_search/scroll", "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.get("_scroll_id").asText() + "\"}");
        }
    }

    /**
     * An index the bridge has only just created answers 503 "all shards failed" until its primaries start (Elasticsearch 6.5
     * did so in CI); that is the engine warming up, not a verdict on what was delivered, so the read is tried again.
     */
    private static JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> response = null;
        for (int attempt = 1; attempt <= 30; attempt++) {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(SearchEngineUnderTest.url() + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 503) {
                break;
            }
            Thread.sleep(500);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("search failed: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Every line of the topic in backup objects of the bucket modified since the given instant (failed-document envelopes decoded). */
    public static DeliveredOffsets inBackup(String bucket, String topic, Instant since) throws Exception {
        DeliveredOffsets found = new DeliveredOffsets();
        try (S3Client s3 = s3()) {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                if (object.lastModified().isBefore(since.minusSeconds(5))) {
                    continue;
                }
                // S3Proxy lists an object while the store still writes it: a truncated read counts none of its lines
                // this time, and the caller's next poll reads it whole.
                List<JsonNode> lines = readBackupObject(s3, bucket, object.key());
                if (lines == null) {
                    continue;
                }
                for (JsonNode doc : lines) {
                    if (doc.has("rawData")) {
                        doc = JSON.readTree(java.util.Base64.getDecoder().decode(doc.get("rawData").asText()));
                    }
                    JsonNode kafka = doc.path("kafka");
                    if (topic.equals(kafka.path("topic").asText())) {
                        found.add(kafka);
                    }
                }
            }
        }
        return found;
    }

    /**
     * The JSON lines of one backup object; null while it cannot be read whole (still being written). S3Proxy has also
     * answered 404 for a key it had just listed (a CI run of FieldTestSetupIT); that too waits for the caller's next poll.
     */
    private static List<JsonNode> readBackupObject(S3Client s3, String bucket, String key) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key));
                BufferedReader lines = new BufferedReader(new InputStreamReader(key.endsWith(".gz") ? new GZIPInputStream(in) : in,
                        StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    docs.add(JSON.readTree(line));
                }
            }
        } catch (JsonProcessingException | EOFException | NoSuchKeyException e) {
            return null;
        }
        return docs;
    }

    public static S3Client s3() {
        return S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
