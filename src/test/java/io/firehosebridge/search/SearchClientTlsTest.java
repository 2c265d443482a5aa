package io.firehosebridge.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.search.SearchRequestSignerTest.Received;
import io.firehosebridge.search.SearchRequestSignerTest.Signature;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.SniServer;
import io.quarkus.elasticsearch.restclient.lowlevel.runtime.ElasticsearchConfig;
import io.quarkus.elasticsearch.restclient.lowlevel.runtime.RestClientBuilderHelper;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.InetSocketAddressConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * The service's search client over HTTPS to an endpoint that requires SNI, as an Amazon OpenSearch domain is reached: the
 * low-level client built by Quarkus's own builder from {@code quarkus.elasticsearch.*} (protocol https), with the service's
 * {@link SearchAuthentication} hook signing for AWS (applied directly: Quarkus finds it in its bean container). It runs in a
 * JVM of its own, as the service does: that JVM resolves the endpoint's host name from a hosts file (the JDK sends SNI only
 * for a name with a dot, and none resolves to loopback here), and trusts the endpoint's certificates through the javax.net.ssl
 * settings, from which the client takes the JVM's default TLS context. Nothing of either reaches the JVM running the tests.
 */
class SearchClientTlsTest {

    private static final String SEARCH_HOST = "search-clicks.us-east-1.localhost";
    private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("AKIAEXAMPLESNI", "sni/test+secret");
    private static final String ROOT = "{\"version\":{\"number\":\"2.19.6\",\"distribution\":\"opensearch\"}}";
    private static final Path DIR = Path.of("target", "tls-test", "search-sni");

    private static Vertx vertx;
    private static SniServer endpoint;
    private static final List<Received> received = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        endpoint = SniServer.start(vertx, DIR, SEARCH_HOST, request -> request.body().onSuccess(body -> {
            Map<String, List<String>> headers = new HashMap<>();
            request.headers().names().forEach(name -> headers.put(name.toLowerCase(Locale.ROOT), request.headers().getAll(name)));
            synchronized (received) {
                received.add(new Received(request.method().name(), request.path(), request.query(), headers, body.getBytes()));
            }
            request.response().putHeader("Content-Type", "application/json").end(ROOT);
        }));
        Files.writeString(DIR.resolve("hosts"), SniServer.hostsEntry(SEARCH_HOST));
    }

    @AfterAll
    static void stop() throws Exception {
        endpoint.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void namesTheSearchHostInTheHandshakeAndSignsForIt() throws Exception {
        int before = endpoint.namesIndicated().size();
        received.clear();

        assertThat(searchEngineRoot(SEARCH_HOST)).isEqualTo("200 " + ROOT);

        assertThat(endpoint.namesIndicated().subList(before, endpoint.namesIndicated().size())).as("SNI of the request's connection")
                .containsExactly(SEARCH_HOST);
        assertThat(received).hasSize(1);
        Received r = received.get(0);
        assertThat(r.header("host")).isEqualTo(SEARCH_HOST + ":" + endpoint.port());
        assertThat(Signature.of(r).signedHeaders()).contains("host");
        assertThat(Signature.of(r).signature()).as("signature over the Host header as received")
                .isEqualTo(SearchRequestSignerTest.expectedSignature(r, CREDENTIALS));
    }

    /** The same endpoint by its address: the JDK names no host for an address, and the certificate then served is another's. */
    @Test
    void refusesTheNamedSearchEndpointReachedByItsAddress() throws Exception {
        int before = endpoint.namesIndicated().size();

        assertThat(searchEngineRoot("127.0.0.1")).startsWith("failed:")
                .contains("SSLPeerUnverifiedException: Host name '127.0.0.1' does not match the certificate subject provided by the peer (CN="
                        + SniServer.FALLBACK_NAME + ")");

        assertThat(endpoint.namesIndicated()).as("requests that reached the endpoint").hasSize(before);
    }

    /** The check above can fail: the same client in a JVM told to send no SNI ({@code jsse.enableSNIExtension=false}) is refused. */
    @Test
    void withoutSniTheSameClientIsRefused() throws Exception {
        int before = endpoint.namesIndicated().size();

        assertThat(searchEngineRoot(SEARCH_HOST, "-Djsse.enableSNIExtension=false")).startsWith("failed:")
                .contains("SSLPeerUnverifiedException: Host name '" + SEARCH_HOST
                        + "' does not match the certificate subject provided by the peer (CN=" + SniServer.FALLBACK_NAME + ")");

        assertThat(endpoint.namesIndicated()).as("requests that reached the endpoint").hasSize(before);
    }

    /**
     * {@code GET /} from a service JVM (with these options) whose search hosts setting names the endpoint by {@code host}:
     * status and body, or the failure.
     */
    private static String searchEngineRoot(String host, String... jvmOptions) throws Exception {
        String run = host + String.join("", jvmOptions).replaceAll("[^A-Za-z0-9.=-]", "");
        Path outcome = DIR.resolve("outcome-" + run + ".txt");
        Path log = DIR.resolve("client-" + run + ".log");
        Files.deleteIfExists(outcome);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-Djdk.net.hosts.file=" + DIR.resolve("hosts").toAbsolutePath()));
        command.addAll(endpoint.certificate().trustingJvmOptions());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServiceSearchClient.class.getName(), outcome.toAbsolutePath().toString(),
                "quarkus.elasticsearch.hosts=" + host + ":" + endpoint.port(), "quarkus.elasticsearch.protocol=https",
                "bridge.search.auth=aws-sigv4", "bridge.aws.region=us-east-1"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("client JVM done within 60 s (log %s)", log).isTrue();
        assertThat(outcome).as("outcome of the client JVM (exit %d, log %s)", jvm.exitValue(), log).exists();
        return Files.readString(outcome);
    }

    /**
     * The search client of the service, in a JVM of its own: arguments are the file for the outcome, then the settings as
     * {@code name=value}.
     */
    static final class ServiceSearchClient {

        public static void main(String[] args) throws Exception {
            Map<String, String> settings = new HashMap<>();
            for (int i = 1; i < args.length; i++) {
                settings.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            }
            SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(ElasticsearchConfig.class)
                    .withConverter(InetSocketAddress.class, 200, new InetSocketAddressConverter())
                    .withConverter(Duration.class, 200, new DurationConverter())
                    .withSources(new PropertiesConfigSource(settings, "test", 100)).build();
            RestClientBuilder builder = RestClientBuilderHelper.createRestClientBuilder(config.getConfigMapping(ElasticsearchConfig.class));
            // Quarkus's own client callback (its credentials, connection limits, and the @ElasticsearchClientConfig hooks,
            // which it looks up in the running application's bean container) cannot run without Quarkus. Over https it leaves
            // TLS as the client builder makes it (the JVM's default context, host names verified), which is what runs here;
            // the service's hook takes the callback's place.
            builder.setHttpClientConfigCallback(SearchAuthenticationTest.authentication(CREDENTIALS, settings));
            String outcome;
            try (RestClient client = builder.build()) {
                Response response = client.performRequest(new Request("GET", "/"));
                outcome = response.getStatusLine().getStatusCode() + " " + EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                StringBuilder chain = new StringBuilder("failed:");
                for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
                    chain.append(' ').append(c.getClass().getName()).append(": ").append(c.getMessage()).append(';');
                }
                outcome = chain.toString();
            }
            Files.writeString(Path.of(args[0]), outcome);
        }
    }
}
