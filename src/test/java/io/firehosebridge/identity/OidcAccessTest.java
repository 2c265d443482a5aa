package io.firehosebridge.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.LocalStackResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Mode oidc against a provider whose keys the test controls ({@link MockOidcProvider}): 401 without a token and for every
 * token that is not valid here (expired, another issuer, another audience, a key the provider never published), 403 for a
 * viewer's change, both as problem+json; roles from the groups claim mapped to viewer and operator; a rotated signing key
 * picked up without a restart; one audit line per change.
 */
@QuarkusTest
@TestProfile(OidcAccessTest.Oidc.class)
class OidcAccessTest {

    /** Mode oidc; roles from the groups claim, with names of the provider's own. */
    public static class Oidc implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.identity.mode", "oidc", "bridge.reconcile.api-token", "",
                    "quarkus.oidc.token.audience", MockOidcProvider.AUDIENCE, "quarkus.oidc.roles.role-claim-path", "groups",
                    "bridge.identity.roles.viewer", "bridge-viewers", "bridge.identity.roles.operator", "bridge-operators");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MockOidcProvider.class), new TestResourceEntry(LocalStackResource.class));
        }
    }

    private static final List<String> AUDIT = new ArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (AUDIT) {
                AUDIT.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void captureTheAuditLog() {
        Logger.getLogger(AccessFilter.AUDIT_CATEGORY).addHandler(CAPTURE);
    }

    @AfterAll
    static void stopCapturing() {
        Logger.getLogger(AccessFilter.AUDIT_CATEGORY).removeHandler(CAPTURE);
    }

    private static String issuer() {
        return ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
    }

    private static String provider(String method, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(issuer() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String token(String kind, String sub, String name, String groups) throws Exception {
        return provider("GET", "/mint?kind=" + kind + "&sub=" + sub + "&name=" + name + "&groups="
                + URLEncoder.encode(groups, StandardCharsets.UTF_8));
    }

    private static void assertProblem(Response r, int status, String detailMentions) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("detail")).containsIgnoringCase(detailMentions);
        assertThat(r.asString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void refusesACallWithoutATokenWith401() {
        Response r = given().get("/reconciliations/ledger");
        assertProblem(r, 401, "Authorization: Bearer");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertProblem(given().header("Authorization", "Basic dXNlcjpwYXNz").get("/reconciliations/ledger"), 401, "Bearer");
    }

    @Test
    void refusesTokensThatAreNotValidHereWith401() throws Exception {
        for (String kind : List.of("expired", "other-issuer", "other-audience", "other-key")) {
            String t = token(kind, "op-sub", "otto", "bridge-operators");
            assertProblem(given().auth().oauth2(t).get("/reconciliations/ledger"), 401, "not valid");
        }
        assertProblem(given().auth().oauth2("not.a.jwt").get("/reconciliations/ledger"), 401, "not valid");
    }

    @Test
    void aViewerReadsButMayNotRepairReDriveStartOrCancel() throws Exception {
        String viewer = token("valid", "viewer-sub", "vera", "bridge-viewers");
        assertThat(given().auth().oauth2(viewer).get("/reconciliations/ledger").statusCode()).isEqualTo(200);
        assertThat(given().auth().oauth2(viewer).get("/reconciliations/ledger/coverage").statusCode()).isEqualTo(200);
        Response me = given().auth().oauth2(viewer).get("/reconciliations/identity");
        assertThat(me.jsonPath().getString("access")).isEqualTo("viewer");
        assertThat(me.jsonPath().getString("name")).isEqualTo("vera");
        assertThat(me.jsonPath().getString("subject")).isEqualTo("viewer-sub");
        assertProblem(given().auth().oauth2(viewer).post("/reconciliations/some-id/repair?dryRun=false"), 403, "operator");
        assertProblem(given().auth().oauth2(viewer).post("/reconciliations/some-id/redrive"), 403, "operator");
        assertProblem(given().auth().oauth2(viewer).contentType("application/json").body("{\"topic\":\"clicks\"}").post("/reconciliations"),
                403, "operator");
        assertProblem(given().auth().oauth2(viewer).delete("/reconciliations/some-id"), 403, "vera has viewer");
        assertThat(audit()).anySatisfy(line -> assertThat(line)
                .isEqualTo("audit subject=viewer-sub name=vera access=viewer action=repair reconciliation=some-id dryRun=false job=- status=403"));
    }

    @Test
    void rolesThatGrantNothingAre403() throws Exception {
        String nobody = token("valid", "nobody-sub", "nina", "marketing");
        assertProblem(given().auth().oauth2(nobody).get("/reconciliations/ledger"), 403, "neither viewer nor operator");
    }

    @Test
    void anOperatorPassesAndEveryChangeIsAudited() throws Exception {
        String operator = token("valid", "op-sub", "otto", "bridge-operators");
        Response me = given().auth().oauth2(operator).get("/reconciliations/identity");
        assertThat(me.jsonPath().getString("access")).isEqualTo("operator");
        assertThat(me.jsonPath().getString("mode")).isEqualTo("oidc");
        // Past the access check: the job is unknown (404), or the job topic is not read yet right after start (503).
        int status = given().auth().oauth2(operator).post("/reconciliations/no-such-job/repair?dryRun=true").statusCode();
        assertThat(status).isIn(404, 503);
        assertThat(audit()).anySatisfy(line -> assertThat(line).isEqualTo(
                "audit subject=op-sub name=otto access=operator action=repair reconciliation=no-such-job dryRun=true job=- status=" + status));
        assertThat(String.join("\n", audit())).doesNotContain(operator);
    }

    @Test
    void aRotatedSigningKeyIsPickedUpWithoutARestart() throws Exception {
        String before = token("valid", "op-sub", "otto", "bridge-operators");
        assertThat(given().auth().oauth2(before).get("/reconciliations/ledger").statusCode()).isEqualTo(200);
        provider("POST", "/rotate");
        String after = token("valid", "op-sub", "otto", "bridge-operators");
        assertThat(given().auth().oauth2(after).get("/reconciliations/ledger").statusCode()).as("signed with the new key").isEqualTo(200);
    }

    @Test
    void thePageLearnsHowToSignInAndMayCallTheProvider() {
        Response r = given().get("/coverage/sign-in");
        assertThat(r.jsonPath().getString("mode")).isEqualTo("oidc");
        assertThat(r.jsonPath().getString("issuer")).isEqualTo(issuer());
        String policy = given().get("/coverage/").header("Content-Security-Policy");
        assertThat(policy).contains("connect-src 'self' " + URI.create(issuer()).resolve("/").toString().replaceAll("/$", ""));
    }

    private static List<String> audit() {
        synchronized (AUDIT) {
            return List.copyOf(AUDIT);
        }
    }
}
