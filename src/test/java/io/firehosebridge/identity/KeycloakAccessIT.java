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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStack;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;

/**
 * The packaged service in mode oidc against the real identity provider of the local stack (its keycloak part, realm
 * deploy/local/keycloak/bridge-realm.json, roles from Keycloak's realm roles): the users sign in (password grant of the
 * local client bridge-cli), the viewer reads a reconciliation and is refused its repair with 403, the operator re-drives
 * it and the service's log has the audit line naming the operator; the service's own client (client credentials) is an
 * operator too.
 */
@EndToEnd
class KeycloakAccessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PORT = FreePorts.next();

    @Test
    void viewerReadsOperatorReDrivesAndTheChangeIsAudited() throws Exception {
        String issuer = LocalStack.keycloakIssuer();
        LocalStackResource.ensureStarted();
        String run = "identity-" + LocalStackResource.RUN;
        String topic = "it-clicks-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (ClickProducer producer = new ClickProducer()) {
            producer.clicks(topic, 50);
        }
        Map<String, String> props = new HashMap<>(Map.of(
                "quarkus.profile", "local",
                "mp.messaging.incoming.clicks.topic", topic,
                "mp.messaging.incoming.clicks.group.id", "it-bridge-" + run,
                "mp.messaging.outgoing.dead-letters.topic", topic + "-dlq",
                "bridge.reconcile.ledger.topic", topic + "-ledger",
                "bridge.reconcile.jobs.topic", topic + "-jobs",
                "bridge.identity.mode", "oidc",
                "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.token.audience", "kafka-firehose-bridge",
                "quarkus.oidc.roles.role-claim-path", "realm_access/roles"));
        props.put("bridge.identity.page.client-id", "coverage-page");
        try (ServiceProcess service = new ServiceProcess("identity-bridge", PORT, props).start()) {
            String viewer = password(issuer, "viewer");
            String operator = password(issuer, "operator");

            assertThat(call("GET", "/reconciliations/ledger", null).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/reconciliations/identity", viewer).statusCode()).isEqualTo(200);
            assertThat(json(call("GET", "/reconciliations/identity", viewer)).path("access").asText()).isEqualTo("viewer");
            assertThat(json(call("GET", "/reconciliations/identity", operator)).path("access").asText()).isEqualTo("operator");
            assertThat(json(call("GET", "/reconciliations/identity", clientCredentials(issuer))).path("access").asText()).isEqualTo("operator");

            // The viewer reads: a synchronous report of the topic's partition (the service consumes another group's view of it).
            HttpResponse<String> report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> call("GET", "/reconciliations/" + topic + "/0?from=0&to=50", viewer), r -> r.statusCode() == 200);
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
    }

    private static HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String password(String issuer, String user) throws Exception {
        return tokenFrom(issuer, Map.of("grant_type", "password", "client_id", "bridge-cli", "username", user, "password", user));
    }

    private static String clientCredentials(String issuer) throws Exception {
        return tokenFrom(issuer, Map.of("grant_type", "client_credentials", "client_id", "kafka-firehose-bridge",
                "client_secret", "local-bridge-secret"));
    }

    private static String tokenFrom(String issuer, Map<String, String> form) throws Exception {
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
