package io.firehosebridge.reconcile.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.openapi.api.SmallRyeOpenAPI;

/**
 * The reconciliation API's OpenAPI document, built by the scanner Quarkus's build step uses (SmallRye OpenAPI's JAX-RS
 * scanner) from the compiled reconciliation classes, without starting the service: a job's {@code error} is documented
 * as the problem the API answers ({@link ApiError}), under the schema name {@code JobView} it has always had.
 */
class ReconciliationOpenApiTest {

    private static final String REF = "#/components/schemas/";

    @Test
    void aJobsErrorIsDocumentedAsTheApisProblem() throws Exception {
        OpenAPI openApi = scan();
        var schemas = openApi.getComponents().getSchemas();
        assertThat(schemas).containsKeys("JobView", "ApiError").doesNotContainKeys("JobAnswer", "JobFailure");
        Schema view = schemas.get("JobView");
        assertThat(view.getProperties()).containsKeys("id", "state", "progress", "error", "notes");
        assertThat(view.getProperties().get("error").getRef()).isEqualTo(REF + "ApiError");
        assertThat(schemas.get("ApiError").getProperties()).containsOnlyKeys("type", "title", "status", "detail", "instance");

        for (var get : List.of(openApi.getPaths().getPathItem("/reconciliations/{id}").getGET(),
                openApi.getPaths().getPathItem("/reconciliations/{id}").getDELETE())) {
            assertThat(get.getResponses().getAPIResponse("200").getContent().getMediaType("application/json").getSchema().getRef())
                    .isEqualTo(REF + "JobView");
        }
        assertThat(openApi.getPaths().getPathItem("/reconciliations/{id}/redrive").getPOST().getResponses().getAPIResponse("202")
                .getContent().getMediaType("application/json").getSchema().getRef()).isEqualTo(REF + "JobView");
    }

    /** The document SmallRye OpenAPI makes of the compiled classes of io.firehosebridge.reconcile. */
    private static OpenAPI scan() throws Exception {
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(Path.of("target", "classes", "io", "firehosebridge", "reconcile"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    indexer.index(in);
                }
            }
        }
        return SmallRyeOpenAPI.builder().withConfig(new SmallRyeConfigBuilder().build()).withIndex(indexer.complete())
                .enableModelReader(false).enableStandardStaticFiles(false).enableStandardFilter(false).build().model();
    }
}
