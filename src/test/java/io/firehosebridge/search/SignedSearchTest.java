package io.firehosebridge.search;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The service signs its search requests and the stack's search front, which stands for an Amazon OpenSearch Service domain
 * with an IAM access policy, accepts them. {@link LocalStackResource} gives every {@code @QuarkusTest} the front and
 * {@code bridge.search.auth=aws-sigv4}, so each reconciliation, repair and coverage test passes only through signatures the
 * front checked; this one looks at readiness check {@code search-access}. {@link UnsignedSearchRefusedTest} is the other side.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, scope = TestResourceScope.GLOBAL)
class SignedSearchTest {

    @Test
    void theFrontAcceptsTheSignedServiceAndReadinessSaysSo() {
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'search-access' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'search-access' }.data.auth", equalTo("aws-sigv4"))
                .body("checks.find { it.name == 'search-access' }.data.result", equalTo("HTTP 200"));
    }
}
