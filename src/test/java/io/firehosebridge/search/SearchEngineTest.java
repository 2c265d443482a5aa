package io.firehosebridge.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SearchEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    // The version objects below are the ones these engines answered to GET / here (trimmed to the fields read).
    private static SearchEngine root(String version) throws Exception {
        return SearchEngine.fromRoot(JSON.readTree("{\"name\":\"n\",\"version\":" + version + ",\"tagline\":\"t\"}"));
    }

    @Test
    void elasticsearch6HasTypesLegacyTemplatesAndANumericHitCount() throws Exception {
        SearchEngine es6 = root("{\"number\":\"6.5.4\",\"build_flavor\":\"oss\",\"lucene_version\":\"7.5.0\"}");
        assertThat(es6).hasToString("Elasticsearch 6.5.4");
        assertThat(es6.mappingTypes()).isTrue();
        assertThat(es6.composableTemplates()).isFalse();
        assertThat(es6.totalHits(hits("{\"total\":42,\"hits\":[]}"))).isEqualTo(42);
    }

    @Test
    void openSearchOfEveryLineHasNoTypesComposableTemplatesAndAnObjectHitCount() throws Exception {
        for (String number : new String[] { "1.3.20", "2.19.6", "3.3.2" }) {
            SearchEngine os = root("{\"distribution\":\"opensearch\",\"number\":\"" + number + "\"}");
            assertThat(os.openSearch()).isTrue();
            assertThat(os.mappingTypes()).as(number).isFalse();
            assertThat(os.composableTemplates()).as(number).isTrue();
            assertThat(os.totalHits(hits("{\"total\":{\"value\":7,\"relation\":\"eq\"}}"))).isEqualTo(7);
        }
    }

    @Test
    void openSearchReportingItselfAsElasticsearch7IsStillOpenSearch() throws Exception {
        // OpenSearch's compatibility mode answers 7.10.2 as the number; the distribution still names it.
        SearchEngine os = root("{\"distribution\":\"opensearch\",\"number\":\"7.10.2\"}");
        assertThat(os.openSearch()).isTrue();
        assertThat(os.composableTemplates()).isTrue();
    }

    @Test
    void elasticsearch7GetsComposableTemplatesFrom78On() throws Exception {
        assertThat(root("{\"number\":\"7.7.1\"}").composableTemplates()).isFalse();
        assertThat(root("{\"number\":\"7.7.1\"}").mappingTypes()).isFalse();
        assertThat(root("{\"number\":\"7.8.0\"}").composableTemplates()).isTrue();
        assertThat(root("{\"number\":\"8.19.0-SNAPSHOT\"}").major()).isEqualTo(8);
    }

    @Test
    void aHitCountInTheOtherEnginesShapeIsRefusedNotMisread() throws Exception {
        SearchEngine es6 = root("{\"number\":\"6.5.4\"}");
        assertThatThrownBy(() -> es6.totalHits(hits("{\"total\":{\"value\":7,\"relation\":\"eq\"}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Elasticsearch 6.5.4");
        assertThat(es6.totalHits(hits("{\"hits\":[]}"))).isEqualTo(-1);
    }

    @Test
    void anAnswerWithoutAVersionIsNotAnEngine() {
        assertThatThrownBy(() -> root("{}")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version.number");
    }

    private static JsonNode hits(String json) throws Exception {
        return JSON.readTree(json);
    }
}
