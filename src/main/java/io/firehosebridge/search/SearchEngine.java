package io.firehosebridge.search;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One search engine line (Elasticsearch 6.x, OpenSearch 1.x to 3.x, ...) as it names itself in the answer to
 * {@code GET /}, and what the bridge does differently for it: where index templates go and what shape they take,
 * whether bulk actions carry a mapping type, and how a search answer counts its hits.
 *
 * @param openSearch true for OpenSearch ({@code version.distribution} is {@code opensearch}), false for Elasticsearch
 * @param version its version number, e.g. {@code 6.5.4}
 */
public record SearchEngine(boolean openSearch, String version) {

    /** Reads {@code {"version":{"distribution":"opensearch","number":"2.19.6"}}}, the answer to {@code GET /}. */
    public static SearchEngine fromRoot(JsonNode root) {
        JsonNode version = root.path("version");
        String number = version.path("number").asText("");
        if (number.isEmpty()) {
            throw new IllegalArgumentException("the answer to GET / names no version.number: " + root);
        }
        return new SearchEngine("opensearch".equals(version.path("distribution").asText()), number);
    }

    /** The major version number. */
    public int major() {
        return part(0);
    }

    /** The minor version number. */
    public int minor() {
        return part(1);
    }

    /**
     * Whether indices still have mapping types (Elasticsearch before 7): bulk actions then carry the delivery stream's
     * TypeName, and a template maps its fields under a type.
     */
    public boolean mappingTypes() {
        return !openSearch && major() < 7;
    }

    /** Whether the engine has composable index templates ({@code _index_template}): OpenSearch, Elasticsearch 7.8 on. */
    public boolean composableTemplates() {
        return openSearch || major() > 7 || (major() == 7 && minor() >= 8);
    }

    /** Whether {@code hits.total} is a plain number (Elasticsearch before 7) rather than {@code {"value":n,"relation":...}}. */
    public boolean totalHitsAsNumber() {
        return !openSearch && major() < 7;
    }

    /**
     * The hit count of a search answer's {@code hits} object in this engine's shape; -1 when the answer carries none
     * (the request asked not to track it).
     */
    public long totalHits(JsonNode hits) {
        JsonNode total = hits.path("total");
        if (total.isMissingNode() || total.isNull()) {
            return -1;
        }
        JsonNode count = totalHitsAsNumber() ? total : total.path("value");
        if (!count.isIntegralNumber()) {
            throw new IllegalArgumentException(this + " answered hits.total in an unexpected shape: " + total);
        }
        return count.asLong();
    }

    private int part(int i) {
        String[] parts = version.split("[.-]");
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return (openSearch ? "OpenSearch " : "Elasticsearch ") + version;
    }
}
