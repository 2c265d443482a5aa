package io.firehosebridge.reconcile.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.search.SearchEngine;

class CoordinateIndexTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void elasticsearch6GetsALegacyTemplateWithTheFieldsUnderTheDefaultType() throws Exception {
        JsonNode body = legacy("6.5.4");
        assertThat(body.path("order").asInt()).isEqualTo(100);
        assertThat(kafka(body.path("mappings").path("_default_")).path("offset").path("type").asText()).isEqualTo("long");
    }

    @Test
    void elasticsearch7BeforeComposableTemplatesGetsATypelessLegacyTemplate() throws Exception {
        assertThat(kafka(legacy("7.7.1").path("mappings")).path("topic").path("type").asText()).isEqualTo("keyword");
    }

    @Test
    void openSearchGetsAComposableTemplate() throws Exception {
        Request request = CoordinateIndexTemplate.request(new SearchEngine(true, "1.3.20"), "fhb", List.of("clicks*"), "kafka");
        assertThat(request.getEndpoint()).isEqualTo("/_index_template/fhb");
        JsonNode body = body(request);
        assertThat(body.path("priority").asInt()).isEqualTo(100);
        assertThat(body.path("index_patterns").get(0).asText()).isEqualTo("clicks*");
        assertThat(kafka(body.path("template").path("mappings")).path("partition").path("type").asText()).isEqualTo("integer");
    }

    /** The body of the template for this Elasticsearch version, which must go to the legacy endpoint. */
    private static JsonNode legacy(String version) throws Exception {
        Request request = CoordinateIndexTemplate.request(new SearchEngine(false, version), "fhb", List.of("clicks*"), "kafka");
        assertThat(request.getEndpoint()).isEqualTo("/_template/fhb");
        return body(request);
    }

    private static JsonNode kafka(JsonNode mapping) {
        return mapping.path("properties").path("kafka").path("properties");
    }

    private static JsonNode body(Request request) throws Exception {
        return JSON.readTree(EntityUtils.toString(request.getEntity()));
    }
}
