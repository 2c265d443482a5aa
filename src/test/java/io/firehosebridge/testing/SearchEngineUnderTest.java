package io.firehosebridge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.search.SearchEngine;

/**
 * The search engine the tests run against: the part named by {@code FHB_SEARCH_ENGINE}, the same setting
 * {@code deploy/local/stack} reads (so {@code LocalStack.up()} starts it), by default the stack's OpenSearch.
 * The matrix profile ({@code ./mvnw verify -Pengines}) runs the delivery and reconciliation tests once per engine.
 */
public final class SearchEngineUnderTest {

    private static final Logger LOG = Logger.getLogger(SearchEngineUnderTest.class);

    /** The part name: opensearch (default), opensearch1, opensearch3 or elasticsearch6. */
    public static final String NAME = Optional.ofNullable(System.getenv("FHB_SEARCH_ENGINE")).filter(s -> !s.isBlank()).orElse("opensearch");

    // The launcher's default ports; it reads the same <PART>_PORT variables to move them.
    private static final Map<String, Integer> PORTS = Map.of("opensearch", 9200, "opensearch1", 9213, "opensearch3", 9230,
            "elasticsearch6", 9265);

    private static SearchEngine engine;

    private SearchEngineUnderTest() {
    }

    /** The engine's HTTP port. */
    public static int port() {
        Integer port = PORTS.get(NAME);
        if (port == null) {
            throw new IllegalStateException("FHB_SEARCH_ENGINE=" + NAME + " is not one of " + PORTS.keySet());
        }
        String moved = System.getenv(NAME.toUpperCase() + "_PORT");
        return moved == null || moved.isBlank() ? port : Integer.parseInt(moved);
    }

    /** The engine's base URL, e.g. {@code http://127.0.0.1:9200}. */
    public static String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Whether this is the stack's default search part (the one every other test uses). */
    public static boolean isDefault() {
        return "opensearch".equals(NAME);
    }

    /**
     * The TypeName the local delivery streams of the tests carry: Elasticsearch 6.x takes no document without a type,
     * so there the field test's own ({@code isc}); none elsewhere, as before.
     */
    public static Optional<String> typeName() {
        return "elasticsearch6".equals(NAME) ? Optional.of("isc") : Optional.empty();
    }

    /** What the engine says it is ({@code GET /}), asked once. */
    public static synchronized SearchEngine engine() throws IOException, InterruptedException {
        if (engine == null) {
            HttpResponse<String> root = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            engine = SearchEngine.fromRoot(new ObjectMapper().readTree(root.body()));
        }
        return engine;
    }

    /**
     * Before the stack is brought up: an engine other than the default one that is not running yet is started for this
     * JVM alone and stopped again when it exits, so a matrix run leaves only the shared stack behind.
     */
    static void stopAtExitIfStartedHere() {
        if (isDefault() || launcher("status", 60) == 0) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> launcher("down", 120), "search-engine-down"));
    }

    private static int launcher(String command, long timeoutSeconds) {
        Path stack = Path.of("deploy/local/stack").toAbsolutePath();
        if (!Files.isExecutable(stack)) {
            throw new IllegalStateException("Cannot find " + stack + "; run the tests from the project directory");
        }
        try {
            Process p = new ProcessBuilder(stack.toString(), command, NAME).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(stack + " " + command + " " + NAME + " did not finish within " + timeoutSeconds + " s");
            }
            LOG.infof("deploy/local/stack %s %s: exit %d", command, NAME, p.exitValue());
            return p.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + stack, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + stack, e);
        }
    }
}
