package io.firehosebridge.reconcile;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Malformed and hostile input gets a 4xx problem+json that says what to change: never a 5xx, a stack trace or an exception name. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
class ReconciliationApiTest {

    private static final String TOPIC = LocalStackResource.TOPIC;
    private static final String TOKEN = ReconciliationTest.TOKEN;

    @BeforeAll
    static void topicHasRecords() throws Exception {
        try (ClickProducer producer = new ClickProducer()) {
            producer.clicks(TOPIC, 60);
        }
    }

    private static RequestSpecification authorized() {
        return given().auth().oauth2(TOKEN);
    }

    private static void assertProblem(Response r, int status, String detailMentions) {
        String body = r.asString();
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("title")).isNotBlank();
        assertThat(r.jsonPath().getString("detail")).containsIgnoringCase(detailMentions);
        assertThat(body).doesNotContain("Exception", "\tat ", "at io.", "at java.", "at org.");
    }

    @Test
    void refusesBadPartitionsAndOffsetsWith400() {
        String path = "/reconciliations/{topic}/{partition}";
        assertProblem(authorized().get(path, TOPIC, "abc"), 400, "partition");
        assertProblem(authorized().get(path, TOPIC, "-1"), 400, "partition");
        assertProblem(authorized().get(path, TOPIC, "99999999999999999999"), 400, "partition");
        assertProblem(authorized().queryParam("from", "abc").get(path, TOPIC, 0), 400, "'from'");
        assertProblem(authorized().queryParam("to", "1.5").get(path, TOPIC, 0), 400, "'to'");
        assertProblem(authorized().queryParam("from", "-5").get(path, TOPIC, 0), 400, "0 or more");
        assertProblem(authorized().queryParam("from", "10").queryParam("to", "5").get(path, TOPIC, 0), 400, "greater than");
        assertProblem(authorized().queryParam("from", "1e99").get(path, TOPIC, 0), 400, "whole number");
        assertProblem(authorized().get(path, "bad topic!", 0), 400, "topic");
        assertProblem(authorized().get(path, "t".repeat(300), 0), 400, "topic");
    }

    @Test
    void answers404ForUnknownTopicsPartitionsAndIds() {
        assertProblem(authorized().get("/reconciliations/{t}/0", "no-such-topic-" + LocalStackResource.RUN), 404, "does not exist");
        assertProblem(authorized().get("/reconciliations/{t}/{p}", TOPIC, 6), 404, "partitions 0..5");
        // Right after start the job topic may not be read yet: an unknown id is then 503 (cannot tell), not 404.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> authorized().get("/reconciliations/{id}", "not-a-job").statusCode(), status -> status != 503);
        assertProblem(authorized().get("/reconciliations/{id}", "not-a-job"), 404, "not-a-job");
        assertProblem(authorized().delete("/reconciliations/{id}", "not-a-job"), 404, "not-a-job");
        assertProblem(authorized().post("/reconciliations/{id}/redrive", "not-a-job"), 404, "not-a-job");
        assertProblem(authorized().post("/reconciliations/{id}/repair", "not-a-job"), 404, "not-a-job");
    }

    @Test
    void answers422ForRangesTheLogCannotServe() {
        String path = "/reconciliations/{topic}/{partition}";
        assertProblem(authorized().queryParam("from", 0).queryParam("to", Long.MAX_VALUE).get(path, TOPIC, 0), 422, "log end");
        assertProblem(authorized().queryParam("from", Long.MAX_VALUE - 1).get(path, TOPIC, 0), 422, "give");
        Response job = authorized().contentType("application/json").body("{\"topic\":\"" + TOPIC + "\",\"from\":0,\"to\":9000000000000}")
                .post("/reconciliations");
        assertProblem(job, 422, "log end");
    }

    @Test
    void refusesMalformedJobBodiesWith400() {
        List<String> bodies = List.of("{\"topic\":", "[1,2,3]", "\"clicks\"", "{}", "{\"topic\":42}", "{\"topic\":\"" + TOPIC + "\",\"form\":1}",
                "{\"topic\":\"" + TOPIC + "\",\"partitions\":[\"x\"]}", "{\"topic\":\"" + TOPIC + "\",\"partitions\":[-1]}",
                "{\"topic\":\"" + TOPIC + "\",\"partitions\":[]}", "{\"topic\":\"" + TOPIC + "\",\"from\":\"abc\"}",
                "{\"topic\":\"" + TOPIC + "\",\"from\":1e30}", "{\"topic\":\"" + TOPIC + "\",\"from\":5,\"to\":1}", "",
                // Beyond the JSON parser's nesting and number-length limits (such errors have no location).
                "[".repeat(5_000), "{\"topic\":" + "9".repeat(1_500) + "}");
        for (String body : bodies) {
            Response r = authorized().contentType("application/json").body(body).post("/reconciliations");
            assertThat(r.statusCode()).as(body + " -> " + r.asString()).isEqualTo(400);
            assertProblem(r, 400, "");
        }
        assertProblem(authorized().contentType("text/plain").body("topic=x").post("/reconciliations"), 415, "application/json");
    }

    @Test
    void answersWrongMethodsWith405() {
        assertProblem(authorized().put("/reconciliations/{t}/0", TOPIC), 405, "not supported");
        assertProblem(authorized().patch("/reconciliations"), 405, "not supported");
    }

    @Test
    void refusesBadLedgerQueries() {
        assertProblem(authorized().queryParam("since", "yesterday").get("/reconciliations/ledger"), 400, "since");
        assertProblem(authorized().queryParam("partition", "1").get("/reconciliations/ledger"), 400, "topic");
        assertProblem(authorized().queryParam("topic", TOPIC).queryParam("partition", "x").get("/reconciliations/ledger"), 400, "partition");
    }

    @Test
    void requiresTheTokenWhenProtectionIsOn() {
        assertProblem(given().get("/reconciliations/{t}/0", TOPIC), 401, "Authorization: Bearer");
        assertProblem(given().auth().oauth2("wrong").get("/reconciliations/{t}/0", TOPIC), 401, "not valid");
        assertProblem(given().header("Authorization", "Basic dXNlcjpwYXNz").get("/reconciliations/ledger"), 401, "not valid");
        assertProblem(given().post("/reconciliations/{id}/redrive", "anything"), 401, "Authorization");
        assertProblem(given().queryParam("dryRun", "true").post("/reconciliations/{id}/repair", "anything"), 401, "Authorization");
        assertProblem(given().contentType("application/json").body("{}").post("/reconciliations"), 401, "Authorization");
        assertThat(given().get("/reconciliations/{t}/0", TOPIC).header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void documentsTheApiInOpenApi() {
        String openapi = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertThat(openapi).contains("/reconciliations/{topic}/{partition}", "/reconciliations/{id}/redrive", "/reconciliations/{id}/repair", "/reconciliations/ledger",
                "bearer");
        // A job's error is documented as the problem the API answers (ReconciliationOpenApiTest checks the scan without the service).
        io.restassured.path.json.JsonPath doc = io.restassured.path.json.JsonPath.from(openapi);
        assertThat(doc.getMap("components.schemas.JobView.properties.error")).containsEntry("$ref", "#/components/schemas/ApiError");
        assertThat(doc.getMap("components.schemas")).doesNotContainKeys("JobFailure", "JobAnswer");
    }
}
