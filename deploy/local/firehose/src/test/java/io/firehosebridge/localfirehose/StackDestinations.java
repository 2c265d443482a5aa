package io.firehosebridge.localfirehose;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The endpoint's real destinations for the tests: the local stack's search engine and S3 store, brought up through the
 * project's launcher ({@code deploy/local/stack}, beside this project) and left running. {@code FHB_SEARCH_ENGINE}
 * chooses the engine as it does for the launcher; the endpoint under test then delivers there.
 */
public class StackDestinations implements QuarkusTestResourceLifecycleManager {

    private static final Path LAUNCHER = Path.of("..", "stack").toAbsolutePath().normalize();
    private static final Map<String, Integer> SEARCH_PORTS = Map.of("opensearch", 9200, "opensearch1", 9213, "opensearch3", 9230,
            "elasticsearch6", 9265);
    /** The launcher's search part: opensearch (default), opensearch1, opensearch3 or elasticsearch6. */
    static final String ENGINE = Optional.ofNullable(System.getenv("FHB_SEARCH_ENGINE")).filter(s -> !s.isBlank()).orElse("opensearch");

    private static boolean started;

    @Override
    public synchronized Map<String, String> start() {
        ensureStarted();
        Map<String, String> config = new HashMap<>();
        config.put("local-firehose.search-url", searchUrl());
        if ("elasticsearch6".equals(ENGINE)) {
            // Elasticsearch 6.x takes no document without a type: the field test's own.
            config.put("local-firehose.default-stream.type-name", "isc");
        }
        return config;
    }

    @Override
    public void stop() {
        // Left running on purpose: the next test class, and anyone else on this host, reuses it.
    }

    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        if (!Files.isExecutable(LAUNCHER)) {
            throw new IllegalStateException("Cannot find the stack launcher at " + LAUNCHER + "; run the tests from deploy/local/firehose");
        }
        try {
            Process process = new ProcessBuilder(List.of(LAUNCHER.toString(), "up", ENGINE, "s3")).redirectErrorStream(true).start();
            byte[] output;
            try (var in = process.getInputStream()) {
                output = in.readAllBytes();
            }
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(LAUNCHER + " up " + ENGINE + " s3 failed:\n" + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + LAUNCHER, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + LAUNCHER, e);
        }
        started = true;
    }

    /** The search engine's base URL, e.g. {@code http://127.0.0.1:9200}. */
    static String searchUrl() {
        Integer port = SEARCH_PORTS.get(ENGINE);
        if (port == null) {
            throw new IllegalStateException("FHB_SEARCH_ENGINE=" + ENGINE + " is not one of " + SEARCH_PORTS.keySet());
        }
        String moved = System.getenv(ENGINE.toUpperCase() + "_PORT");
        return "http://127.0.0.1:" + (moved == null || moved.isBlank() ? port : Integer.parseInt(moved));
    }

    /** A client of the stack's S3 store, with the stack's keys. */
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
