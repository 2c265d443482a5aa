package io.firehosebridge.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Which route a topic takes, and the settings refused at startup with the setting named. */
class RoutesTest {

    private static final Route FALLBACK = new Route(Route.DEFAULT, "clicks", Optional.of("clicks*"), "clicks-backup", Optional.empty(),
            Optional.empty());

    private static Routes routes(Map<String, String> settings, String channelTopic, boolean pattern) {
        return routes(settings, channelTopic, pattern, true);
    }

    private static Routes routes(Map<String, String> settings, String channelTopic, boolean pattern, boolean search) {
        RoutingConfig config = new SmallRyeConfigBuilder().withMapping(RoutingConfig.class)
                .withSources(new PropertiesConfigSource(settings, "test", 100)).build().getConfigMapping(RoutingConfig.class);
        return Routes.of(config, FALLBACK, search, channelTopic, pattern);
    }

    private static Map<String, String> webAndApp() {
        Map<String, String> s = new HashMap<>();
        s.put("bridge.routing.routes.web.topics", "clicks-web,clicks-web-eu");
        s.put("bridge.routing.routes.web.delivery-stream", "web-clicks");
        s.put("bridge.routing.routes.web.index-pattern", "web-clicks*");
        s.put("bridge.routing.routes.web.backup-bucket", "web-backup");
        s.put("bridge.routing.routes.app.topic-pattern", "clicks-app-.*");
        s.put("bridge.routing.routes.app.delivery-stream", "app-clicks");
        s.put("bridge.routing.routes.app.backup-bucket", "app-lake");
        s.put("bridge.routing.routes.app.backup-prefix", "app/year=!{timestamp:yyyy}/");
        s.put("bridge.routing.routes.app.max-records-per-second", "250");
        return s;
    }

    @Test
    void withoutRoutesEveryTopicGoesToTheDefaultStream() {
        Routes routes = routes(Map.of(), "clicks", false);
        assertThat(routes.routed()).isFalse();
        assertThat(routes.routing("clicks").fallback()).isSameAs(FALLBACK);
        assertThat(routes.routing("anything").fallback()).isSameAs(FALLBACK);
        assertThat(routes.streams()).containsExactly(FALLBACK);
    }

    @Test
    void topicsByNameAndByPatternTakeTheirRoutesAndTheRestTheDefaultStream() {
        Routes routes = routes(webAndApp(), "clicks.*", true);
        assertThat(routes.routing("clicks-web").fallback().deliveryStream()).isEqualTo("web-clicks");
        assertThat(routes.routing("clicks-web-eu").fallback().name()).isEqualTo("web");
        assertThat(routes.routing("clicks-app-ios").fallback().deliveryStream()).isEqualTo("app-clicks");
        assertThat(routes.routing("clicks-app-ios").fallback().searched()).as("no index pattern: S3 only").isFalse();
        assertThat(routes.routing("clicks-app-ios").fallback().backupPrefix()).contains("app/year=!{timestamp:yyyy}/");
        assertThat(routes.routing("clicks-other").fallback()).isSameAs(FALLBACK);
        assertThat(routes.streams()).extracting(Route::deliveryStream).containsExactly("clicks", "app-clicks", "web-clicks");
        assertThat(routes.maxRecordsPerSecond(routes.routing("clicks-app-ios").fallback()).getAsDouble()).isEqualTo(250);
        assertThat(routes.maxRecordsPerSecond(routes.routing("clicks-web").fallback()).isPresent()).isFalse();
    }

    @Test
    void aTopicNamedByARouteWinsOverAPatternMatchingIt() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.web.topics", "clicks-app-web");
        Routes routes = routes(s, "clicks.*", true);
        assertThat(routes.routing("clicks-app-web").fallback().name()).isEqualTo("web");
        assertThat(routes.routing("clicks-app-android").fallback().name()).isEqualTo("app");
    }

    @Test
    void unmatchedRecordsCanBeDroppedAndThenTheDefaultStreamIsNotALane() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.unmatched", "drop");
        Routes routes = routes(s, "clicks.*", true);
        assertThat(routes.routing("clicks-other").fallback().dropped()).isTrue();
        assertThat(routes.routing("clicks-other").fallback()).isSameAs(Route.DROPPED);
        assertThat(routes.routing("clicks-web").fallback().dropped()).isFalse();
        assertThat(routes.streams()).extracting(Route::deliveryStream).containsExactly("app-clicks", "web-clicks");
        assertThat(routes.describe()).contains("clicks-web → web-clicks (route web)", "/clicks-app-.*/ → app-clicks (route app)",
                "other topics → dropped (bridge.routing.unmatched=drop)");
    }

    @Test
    void aTopicSplitByAFieldTakesEachRecordsRouteFromItsValueAndTheRestTheTopicsOwnRoute() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.ios.topics", "clicks-web");
        s.put("bridge.routing.routes.ios.field", "device_os");
        s.put("bridge.routing.routes.ios.values", "iOS,iPadOS");
        s.put("bridge.routing.routes.ios.delivery-stream", "ios-clicks");
        s.put("bridge.routing.routes.ios.backup-bucket", "ios-lake");
        Routes routes = routes(s, "clicks.*", true);
        TopicRouting web = routes.routing("clicks-web");
        assertThat(web.byField()).isTrue();
        assertThat(web.route(json("{\"device_os\":\"iPadOS\",\"a\":1}")).name()).isEqualTo("ios");
        assertThat(web.route(json("{\"nested\":{\"device_os\":\"iOS\"},\"device_os\":\"iOS\"}")).name()).as("the top-level field").isEqualTo("ios");
        assertThat(web.route(json("{\"nested\":{\"device_os\":\"iOS\"}}")).name()).as("only a nested one: no match").isEqualTo("web");
        assertThat(web.route(json("{\"device_os\":\"Android\"}")).name()).isEqualTo("web");
        assertThat(web.route(json("not json")).name()).isEqualTo("web");
        assertThat(web.destinations()).extracting(Route::name).containsExactly("ios", "web");
        assertThat(routes.routing("clicks-web-eu").byField()).as("the route names only clicks-web").isFalse();
        assertThat(routes.streams()).extracting(Route::deliveryStream).contains("ios-clicks");
    }

    @Test
    void fieldValuesAreComparedAsTextAndARecordWithoutTheFieldIsDroppedWhenTheTopicHasNoOtherRoute() {
        Map<String, String> s = new HashMap<>();
        s.put("bridge.routing.unmatched", "drop");
        s.put("bridge.routing.routes.first.topics", "clicks");
        s.put("bridge.routing.routes.first.field", "interest_id");
        s.put("bridge.routing.routes.first.values", "1001,true");
        s.put("bridge.routing.routes.first.delivery-stream", "first-interest");
        s.put("bridge.routing.routes.first.backup-bucket", "b");
        TopicRouting clicks = routes(s, "clicks", false).routing("clicks");
        assertThat(clicks.route(json("{\"interest_id\":1001}")).name()).isEqualTo("first");
        assertThat(clicks.route(json("{\"interest_id\":\"1001\"}")).name()).isEqualTo("first");
        assertThat(clicks.route(json("{\"interest_id\":true}")).name()).isEqualTo("first");
        assertThat(clicks.route(json("{\"interest_id\":1101}")).dropped()).isTrue();
        assertThat(clicks.route(json("{\"interest_id\":null}")).dropped()).isTrue();
        assertThat(clicks.route(json("{\"interest_id\":[1001]}")).dropped()).as("not a scalar").isTrue();
        // As the pipeline hands it: the value as consumed, up to (not including) its closing brace, inside a larger array.
        byte[] head = json("{\"x\":{\"interest_id\":1},\"interest_id\":1001}   ");
        assertThat(clicks.route(head, 0, head.length - 4).name()).isEqualTo("first");
        byte[] without = json("{\"x\":{\"interest_id\":1001},\"y\":2}");
        assertThat(clicks.route(without, 0, without.length - 1).dropped()).as("absent at the top level").isTrue();
        assertThat(clicks.dropped()).as("some records are sent").isFalse();
        assertThat(clicks.searched()).isFalse();
    }

    @Test
    void aFieldWithoutValuesIsRefused() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.web.field", "device_os");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.values").hasMessageContaining("needs both field");
    }

    @Test
    void droppingUnmatchedRecordsWithoutAnyRouteIsRefused() {
        assertThatThrownBy(() -> routes(Map.of("bridge.routing.unmatched", "drop"), "clicks", false)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.unmatched: is drop, but no route is configured");
    }

    @Test
    void routesSharingAStreamMustAgreeOnItsCeilingAndTheChannelPatternMustCompile() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.app2.topics", "clicks-app2");
        s.put("bridge.routing.routes.app2.delivery-stream", "app-clicks");
        s.put("bridge.routing.routes.app2.backup-bucket", "app-lake");
        s.put("bridge.routing.routes.app2.backup-prefix", "app/year=!{timestamp:yyyy}/");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.app2.max-records-per-second").hasMessageContaining("route 'app'");
        s.put("bridge.routing.routes.app2.max-records-per-second", "250");
        assertThat(routes(s, "clicks.*", true).routing("clicks-app2").fallback().deliveryStream()).isEqualTo("app-clicks");
        assertThatThrownBy(() -> routes(webAndApp(), "clicks-(web", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mp.messaging.incoming.clicks.topic: with mp.messaging.incoming.clicks.pattern=true it must be a regular expression");
    }

    private static byte[] json(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aRouteWithBothTopicsAndAPatternIsRefusedNamingTheSetting() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.app.topics", "clicks-app");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.app.topics").hasMessageContaining("only one of them");
    }

    @Test
    void aTopicInTwoRoutesIsRefused() {
        Map<String, String> s = webAndApp();
        s.remove("bridge.routing.routes.app.topic-pattern");
        s.put("bridge.routing.routes.app.topics", "clicks-web");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.topics").hasMessageContaining("route 'app' lists too");
    }

    @Test
    void aRoutedTopicTheServiceDoesNotReadIsRefusedSayingHowToReadIt() {
        assertThatThrownBy(() -> routes(webAndApp(), "clicks", false)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.topics: lists topic clicks-web, which the service does not read")
                .hasMessageContaining("mp.messaging.incoming.clicks.pattern=true");
    }

    @Test
    void oneStreamWithTwoSetsOfDestinationsIsRefused() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.app.delivery-stream", "web-clicks");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.delivery-stream").hasMessageContaining("as route 'app' does");
    }

    @Test
    void anIndexPatternWithoutSearchAndABadPatternAreRefused() {
        assertThatThrownBy(() -> routes(webAndApp(), "clicks.*", true, false)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.index-pattern").hasMessageContaining("bridge.search.enabled=false");
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.app.topic-pattern", "clicks-(app");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.app.topic-pattern: not a regular expression");
    }

    @Test
    void aBadStreamNameIsRefused() {
        Map<String, String> s = webAndApp();
        s.put("bridge.routing.routes.web.delivery-stream", "web clicks");
        assertThatThrownBy(() -> routes(s, "clicks.*", true)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("bridge.routing.routes.web.delivery-stream: must be 1..64 characters");
    }
}
