package io.firehosebridge.localfirehose.destination;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The search engine behind a destination, as its answer to {@code GET /} names it, reduced to what delivery needs:
 * whether bulk actions may carry a mapping type. The service has its own, richer engine detection; this one is kept
 * apart on purpose so that the endpoint shares no code with the service it stands in for.
 *
 * @param openSearch true for OpenSearch ({@code version.distribution} is {@code opensearch}), false for Elasticsearch
 * @param version its version number, e.g. {@code 6.5.4}
 */
public record SearchEngine(boolean openSearch, String version) {

    /** Reads {@code {"version":{"distribution":"opensearch","number":"2.19.6"}}}; fails when it names no version. */
    public static SearchEngine fromRoot(JsonNode root) {
        JsonNode version = root.path("version");
        String number = version.path("number").asText("");
        if (number.isEmpty()) {
            throw new IllegalArgumentException("the answer to GET / names no version.number: " + root);
        }
        return new SearchEngine("opensearch".equals(version.path("distribution").asText()), number);
    }

    /** Whether indices still have mapping types (Elasticsearch before 7), so that a TypeName goes into bulk actions. */
    public boolean mappingTypes() {
        return !openSearch && majorVersion() < 7;
    }

    private int majorVersion() {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
    }

    @Override
    public String toString() {
        return (openSearch ? "OpenSearch " : "Elasticsearch ") + version;
    }
}
