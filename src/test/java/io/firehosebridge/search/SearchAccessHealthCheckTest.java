package io.firehosebridge.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.http.HttpHost;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The search-access readiness check against a real HTTP server standing for the cluster: DOWN while it answers 401 or 403,
 * with its answer and the setting in the data, UP again once it accepts, and not made unready by a cluster it cannot reach.
 */
class SearchAccessHealthCheckTest {

    private static final String REFUSAL = "{\"message\":\"The security token included in the request is invalid.\"}";

    private final AtomicInteger status = new AtomicInteger(403);
    private final AtomicInteger asked = new AtomicInteger();
    private HttpServer cluster;
    private RestClient client;

    @BeforeEach
    void start() throws Exception {
        cluster = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cluster.createContext("/", exchange -> {
            asked.incrementAndGet();
            int code = status.get();
            byte[] body = (code == 200 ? "{\"version\":{\"number\":\"2.19.6\",\"distribution\":\"opensearch\"}}" : REFUSAL)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        cluster.start();
        client = RestClient.builder(new HttpHost("127.0.0.1", cluster.getAddress().getPort(), "http")).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        cluster.stop(0);
    }

    private SearchAccessHealthCheck check(String auth, long cacheNanos) {
        SearchAccessHealthCheck check = new SearchAccessHealthCheck();
        check.search = client;
        check.config = new SmallRyeConfigBuilder().withMapping(SearchConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("bridge.search.auth", auth), "test", 100)).build()
                .getConfigMapping(SearchConfig.class);
        check.cacheNanos = cacheNanos;
        return check;
    }

    @Test
    void isDownWhileTheClusterRefusesAndUpOnceItAccepts() {
        SearchAccessHealthCheck check = check("aws-sigv4", 0);
        HealthCheckResponse refused = check.call();
        assertThat(refused.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(refused.getName()).isEqualTo("search-access");
        assertThat(refused.getData().orElseThrow()).containsEntry("auth", "aws-sigv4")
                .containsEntry("result", "HTTP 403: " + REFUSAL);

        status.set(401);
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

        status.set(200);
        HealthCheckResponse accepted = check.call();
        assertThat(accepted.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(accepted.getData().orElseThrow()).containsEntry("result", "HTTP 200");
    }

    @Test
    void asksTheClusterAtMostOncePerCachePeriod() {
        SearchAccessHealthCheck check = check("none", 60_000_000_000L);
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        status.set(200);
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(asked).hasValue(1);
    }

    @Test
    void aClusterThatCannotBeReachedDoesNotMakeTheServiceUnready() {
        cluster.stop(0);
        HealthCheckResponse response = check("basic", 0).call();
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(String.valueOf(response.getData().orElseThrow().get("result"))).startsWith("not reached: ");
    }

    @Test
    void otherErrorsAreNotRefusals() {
        assertThat(SearchAccessHealthCheck.judge(503, "").refused()).isFalse();
        assertThat(SearchAccessHealthCheck.judge(404, "no such index").refused()).isFalse();
        assertThat(SearchAccessHealthCheck.judge(403, "").refused()).isTrue();
        assertThat(SearchAccessHealthCheck.judge(401, "").refused()).isTrue();
    }

    @Test
    void theHintNamesWhatToLookAtForEachWayOfAuthenticating() {
        assertThat(SearchAccessHealthCheck.hint(check("none", 0).config)).contains("bridge.search.auth=aws-sigv4");
        assertThat(SearchAccessHealthCheck.hint(check("basic", 0).config)).contains("quarkus.elasticsearch.username");
        assertThat(SearchAccessHealthCheck.hint(check("aws-sigv4", 0).config)).contains("bridge.aws.region").contains("service es");
    }
}
