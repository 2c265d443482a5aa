package io.firehosebridge.search;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code bridge.search.auth=none} against the stack's search front (a domain with an IAM access policy): the front refuses
 * every request with AWS's 403, and readiness is DOWN in check {@code search-access} with that answer and the setting. The
 * service still starts (its index template install retries in the background).
 */
@QuarkusTest
@TestProfile(UnsignedSearchRefusedTest.Unsigned.class)
class UnsignedSearchRefusedTest {

    /** The front as usual, the service unsigned. */
    public static class Unsigned implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(LocalStackResource.SEARCH_AUTH_OVERRIDE, "none");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(LocalStackResource.class));
        }
    }

    @Test
    void readinessIsDownWithTheDomainsRefusalAndTheSetting() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'search-access' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'search-access' }.data.auth", equalTo("none"))
                .body("checks.find { it.name == 'search-access' }.data.result", startsWith("HTTP 403: "));
    }
}
