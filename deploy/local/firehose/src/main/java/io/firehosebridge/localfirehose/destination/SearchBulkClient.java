package io.firehosebridge.localfirehose.destination;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;


/**
 * Sends documents to a search cluster with the {@code _bulk} API and reports the outcome per document; every request
 * signed as Firehose signs with its role when given a {@link DeliverySigner}.
 */
public final class SearchBulkClient {

    /** One document of a bulk request; {@code type} and {@code id} may be null. */
    public record BulkDocument(String index, String type, String id, byte[] source) {
    }

    /** Why one document was not indexed: the item status (or a connection error code) and the cluster's error. */
    public record DocumentError(String code, String message) {
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final ObjectMapper mapper;
    private final DeliverySigner signer;
    private final Map<String, SearchEngine> engines = new ConcurrentHashMap<>();

    /** A client that writes bulk requests and reads their answers with {@code mapper}, unsigned. */
    public SearchBulkClient(ObjectMapper mapper) {
        this(mapper, null);
    }

    /** A client that signs every request with {@code signer} (null: none signed). */
    public SearchBulkClient(ObjectMapper mapper, DeliverySigner signer) {
        this.mapper = mapper;
        this.signer = signer;
    }

    /**
     * Whether the cluster still has mapping types (Elasticsearch before 7). OpenSearch and Elasticsearch 7+
     * do not, so a TypeName is left out of requests to them.
     */
    public boolean supportsTypes(String baseUrl) throws IOException, InterruptedException {
        return engine(baseUrl).mappingTypes();
    }

    /** The engine of the cluster at this URL, asked once ({@code GET /}) and remembered. */
    SearchEngine engine(String baseUrl) throws IOException, InterruptedException {
        SearchEngine known = engines.get(baseUrl);
        if (known != null) {
            return known;
        }
        HttpResponse<byte[]> response = http.send(request("GET", URI.create(strip(baseUrl) + "/"), Map.of(), new byte[0])
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + " answered HTTP " + response.statusCode());
        }
        try {
            known = SearchEngine.fromRoot(mapper.readTree(response.body()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        engines.put(baseUrl, known);
        return known;
    }

    /**
     * Indexes the documents, in order, with as many bulk requests of at most {@code maxRequestBytes} (at least one
     * document each) as they need, one after another; returns one entry per document, null where it was indexed.
     * Throws IOException when the cluster could not be reached at all.
     */
    public List<DocumentError> bulk(String baseUrl, List<BulkDocument> docs, long maxRequestBytes) throws IOException, InterruptedException {
        List<DocumentError> out = new ArrayList<>(docs.size());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int first = 0;
        for (int i = 0; i < docs.size(); i++) {
            byte[] entry = entry(docs.get(i));
            if (i > first && body.size() + entry.length > maxRequestBytes) {
                out.addAll(send(baseUrl, body.toByteArray(), i - first));
                body.reset();
                first = i;
            }
            body.write(entry);
        }
        if (first < docs.size()) {
            out.addAll(send(baseUrl, body.toByteArray(), docs.size() - first));
        }
        return out;
    }

    private byte[] entry(BulkDocument doc) throws IOException {
        ByteArrayOutputStream entry = new ByteArrayOutputStream(doc.source().length + 128);
        ObjectNode action = mapper.createObjectNode();
        ObjectNode meta = action.putObject("index");
        meta.put("_index", doc.index());
        if (doc.type() != null) {
            meta.put("_type", doc.type());
        }
        if (doc.id() != null) {
            meta.put("_id", doc.id());
        }
        entry.write(mapper.writeValueAsBytes(action));
        entry.write('\n');
        entry.write(singleLine(doc.source()));
        entry.write('\n');
        return entry.toByteArray();
    }

    // filter_path keeps only what is read: the response of a 5 MB request shrinks from about a megabyte to a few kilobytes.
    private List<DocumentError> send(String baseUrl, byte[] body, int count) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request("POST", URI.create(strip(baseUrl)
                + "/_bulk?filter_path=errors,items.*.status,items.*.error"), Map.of("Content-Type", "application/x-ndjson"), body)
                .timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        List<DocumentError> out = new ArrayList<>(count);
        if (response.statusCode() >= 300) {
            String message = new String(response.body(), StandardCharsets.UTF_8);
            DocumentError all = new DocumentError(String.valueOf(response.statusCode()), truncate(message));
            for (int i = 0; i < count; i++) {
                out.add(all);
            }
            return out;
        }
        JsonNode items = mapper.readTree(response.body()).path("items");
        for (int i = 0; i < count; i++) {
            JsonNode item = items.path(i).elements().hasNext() ? items.path(i).elements().next() : null;
            if (item == null) {
                out.add(new DocumentError("500", "No bulk item returned for this document"));
                continue;
            }
            int status = item.path("status").asInt(500);
            out.add(status < 300 ? null : new DocumentError(String.valueOf(status), truncate(item.path("error").toString())));
        }
        return out;
    }

    private HttpRequest.Builder request(String method, URI uri, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(builder::header);
        if (signer != null) {
            signer.sign(builder, method, uri, headers, body);
        }
        return builder;
    }

    // _bulk is newline-delimited. A record on one line (trailing whitespace such as the usual "\n" aside) is sent as
    // received, without parsing or re-encoding it; a pretty-printed one is sent compacted; a record that is not JSON
    // is sent as is (newlines blanked) so the cluster itself rejects it.
    private byte[] singleLine(byte[] source) {
        int end = source.length;
        while (end > 0 && (source[end - 1] == '\n' || source[end - 1] == '\r' || source[end - 1] == ' ' || source[end - 1] == '\t')) {
            end--;
        }
        if (!containsLineBreak(source, end)) {
            return end == source.length ? source : Arrays.copyOf(source, end);
        }
        try {
            JsonNode tree = mapper.readTree(source);
            if (tree != null && !tree.isMissingNode()) {
                return mapper.writeValueAsBytes(tree);
            }
        } catch (IOException e) {
            // not JSON: fall through
        }
        byte[] copy = source.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' ';
            }
        }
        return copy;
    }

    private static boolean containsLineBreak(byte[] bytes, int end) {
        for (int i = 0; i < end; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                return true;
            }
        }
        return false;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }
}
