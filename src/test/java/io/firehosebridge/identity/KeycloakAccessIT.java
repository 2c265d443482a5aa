package io.firehosebridge.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.HeadlessChromium;
import io.firehosebridge.testing.LocalStack;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;
import io.firehosebridge.testing.Topics;

/**
 * The packaged service in mode oidc against the real identity provider of the local stack (its keycloak part, realm
 * deploy/local/keycloak/bridge-realm.json, roles from Keycloak's realm roles): the users sign in (password grant of the
 * local client bridge-cli), the viewer reads a reconciliation and is refused its repair with 403, the operator re-drives
 * it and the service's log has the audit line naming the operator; the service's own client (client credentials) is an
 * operator too. The coverage page signs each user in through Keycloak's login form in headless Chromium; its screenshots
 * (coverage-signed-in-viewer.png and -operator.png, in {@code coverage.screenshots}) are the ones in docs/coverage-page.md.
 */
@EndToEnd
class KeycloakAccessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PORT = FreePorts.next();

    private static final Path SHOTS = Path.of(System.getProperty("coverage.screenshots", "target/screenshots"));
    private static final String RUN = "identity-" + LocalStackResource.RUN;
    private static final String TOPIC = "it-clicks-" + RUN;

    private static String issuer;
    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        issuer = LocalStack.keycloakIssuer();
        LocalStackResource.ensureStarted();
        Topics.create(List.of(new NewTopic(TOPIC, 1, (short) 1)));
        try (ClickProducer producer = new ClickProducer()) {
            producer.clicks(TOPIC, 50);
        }
        Map<String, String> props = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "mp.messaging.incoming.clicks.topic", TOPIC,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + RUN,
                "mp.messaging.outgoing.dead-letters.topic", TOPIC + "-dlq",
                "bridge.reconcile.ledger.topic", TOPIC + "-ledger",
                "bridge.reconcile.jobs.topic", TOPIC + "-jobs",
                "bridge.identity.mode", "oidc",
                "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.token.audience", "kafka-firehose-bridge",
                "quarkus.oidc.roles.role-claim-path", "realm_access/roles"));
        props.put("bridge.identity.page.client-id", "coverage-page");
        props.put("bridge.reconcile.ledger.flush-interval", "500ms");
        props.put("bridge.coverage.refresh-interval", "1s");
        service = new ServiceProcess("identity-bridge", PORT, props).start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void viewerReadsOperatorReDrivesAndTheChangeIsAudited() throws Exception {
        String viewer = password("viewer");
        String operator = password("operator");

        assertThat(call("GET", "/reconciliations/ledger", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/reconciliations/identity", viewer).statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/reconciliations/identity", viewer)).path("access").asText()).isEqualTo("viewer");
        assertThat(json(call("GET", "/reconciliations/identity", operator)).path("access").asText()).isEqualTo("operator");
        assertThat(json(call("GET", "/reconciliations/identity", clientCredentials())).path("access").asText()).isEqualTo("operator");

        // The viewer reads: a synchronous report of the topic's partition (the service consumes another group's view of it).
        HttpResponse<String> report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> call("GET", "/reconciliations/" + TOPIC + "/0?from=0&to=50", viewer), r -> r.statusCode() == 200);
        String id = json(report).path("id").asText();
        assertThat(id).isNotBlank();

        HttpResponse<String> refused = call("POST", "/reconciliations/" + id + "/repair?dryRun=false", viewer);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(refused).path("detail").asText()).contains("operator");

        HttpResponse<String> redrive = call("POST", "/reconciliations/" + id + "/redrive", operator);
        assertThat(redrive.statusCode()).as(redrive.body()).isIn(202, 409, 422);
        Path log = Path.of("target", "identity-bridge.log");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(log))
                .contains("name=operator access=operator action=redrive reconciliation=" + id)
                .contains("name=viewer access=viewer action=repair reconciliation=" + id + " dryRun=false job=- status=403")
                .doesNotContain(operator));
    }

    /**
     * The coverage page in headless Chromium signs each user in through Keycloak's own login form (authorization code with
     * PKCE in the page's sign-in window): it names who signed in, shows the viewer the partition read-only (no reconcile,
     * re-drive or repair buttons) and the operator with them, and keeps no token in storage, cookies or the address. Each
     * user gets a fresh browser, so Keycloak's session of the first never signs in the second.
     */
    @Test
    void pageSignsInThroughKeycloaksLoginFormAsEachRole() throws Exception {
        for (String user : List.of("viewer", "operator")) {
            try (HeadlessChromium chromium = new HeadlessChromium()) {
                ChromeDriver browser = chromium.driver();
                browser.get("http://127.0.0.1:" + PORT + "/coverage/");
                String page = browser.getWindowHandle();
                click(browser, "#sign-in-button");

                String signIn = await("the sign-in window").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> browser.getWindowHandles().stream().filter(h -> !h.equals(page)).findFirst().orElse(null),
                                h -> h != null);
                browser.switchTo().window(signIn);
                WebElement name = onPage().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> browser.findElement(By.id("username")), WebElement::isDisplayed);
                assertThat(browser.getCurrentUrl()).as("Keycloak's login form").startsWith(issuer + "/protocol/openid-connect/auth");
                name.sendKeys(user);
                browser.findElement(By.id("password")).sendKeys(user);
                browser.findElement(By.id("kc-login")).click();
                // The window hands the code back to the page and closes itself.
                await("the sign-in window closed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !browser.getWindowHandles().contains(signIn));
                browser.switchTo().window(page);

                onPage().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("Signed in as " + user + " (" + user + ")."));
                String actions = "#p-" + TOPIC + "-0 .actions";
                onPage().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                        .until(() -> !browser.findElements(By.cssSelector(actions)).isEmpty());
                boolean operator = user.equals("operator");
                onPage().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(browser.findElement(By.cssSelector(actions)).isDisplayed()).as("operator actions shown").isEqualTo(operator);
                    assertThat(browser.findElement(By.id("viewer-note")).isDisplayed()).as("viewer note shown").isEqualTo(!operator);
                    assertThat(browser.findElement(By.id("sign-out-button")).isDisplayed()).isTrue();
                });
                JavascriptExecutor js = browser;
                assertThat(js.executeScript("return localStorage.length + sessionStorage.length")).isEqualTo(0L);
                assertThat(js.executeScript("return document.cookie")).isEqualTo("");
                assertThat(browser.getCurrentUrl()).doesNotContain("code=").doesNotContain("token");
                chromium.screenshot(SHOTS.resolve("coverage-signed-in-" + user + ".png"));
            }
        }
    }

    /** Waits on a live page: an element may not be drawn yet, or be redrawn between a lookup and its use. */
    private static ConditionFactory onPage() {
        return await().ignoreExceptionsMatching(e -> e instanceof NoSuchElementException || e instanceof StaleElementReferenceException);
    }

    private static void click(ChromeDriver browser, String selector) {
        onPage().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            WebElement element = browser.findElement(By.cssSelector(selector));
            if (!element.isDisplayed() || !element.isEnabled()) {
                return false;
            }
            element.click();
            return true;
        });
    }

    private static HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String password(String user) throws Exception {
        return tokenFrom(Map.of("grant_type", "password", "client_id", "bridge-cli", "username", user, "password", user));
    }

    private static String clientCredentials() throws Exception {
        return tokenFrom(Map.of("grant_type", "client_credentials", "client_id", "kafka-firehose-bridge",
                "client_secret", "local-bridge-secret"));
    }

    private static String tokenFrom(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }
}
