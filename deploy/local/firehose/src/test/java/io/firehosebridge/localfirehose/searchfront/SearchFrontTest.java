package io.firehosebridge.localfirehose.searchfront;

import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.Credential;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.auth.SigningClients;
import io.firehosebridge.localfirehose.auth.SigningClients.Result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The search front in both modes on free loopback ports, in front of a stand-in engine, without Quarkus: what AWS refuses
 * gets AWS's answer and never reaches the engine; what is signed with a known key reaches it as sent, and the engine's
 * answer comes back as it is. Requests are signed by the AWS SDK v2's signer and by botocore.
 */
class SearchFrontTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AwsCredentialsIdentity STACK_KEY = AwsCredentialsIdentity.create(SigningClients.ACCESS_KEY_ID,
            SigningClients.SECRET_ACCESS_KEY);
    private static final Credential TEMPORARY = new Credential("ASIALOCALFRONT000001", "temporary-secret", "token-1",
            Instant.now().plus(Duration.ofHours(1)));
    private static final Credential EXPIRED = new Credential("ASIALOCALFRONT000002", "expired-secret", "token-2",
            Instant.now().minusSeconds(1));

    private static Vertx vertx;
    private static FakeEngine engine;
    private static SearchFront es;
    private static SearchFront aoss;
    private static URI esUrl;
    private static URI aossUrl;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        engine = new FakeEngine();
        CredentialStore keys = new CredentialStore(List.of(Credential.longTerm(SigningClients.ACCESS_KEY_ID, SigningClients.SECRET_ACCESS_KEY),
                TEMPORARY, EXPIRED));
        es = new SearchFront(vertx, SearchFrontMode.ES, keys, "us-east-1", Duration.ofMinutes(5), Clock.systemUTC(), engine.url(),
                10_485_760, MAPPER, new AuthCounts());
        aoss = new SearchFront(vertx, SearchFrontMode.AOSS, keys, "us-east-1", Duration.ofMinutes(5), Clock.systemUTC(), engine.url(),
                10_485_760, MAPPER, new AuthCounts());
        esUrl = URI.create("http://127.0.0.1:" + es.listen("127.0.0.1", 0));
        aossUrl = URI.create("http://127.0.0.1:" + aoss.listen("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() throws Exception {
        es.close();
        aoss.close();
        engine.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void forget() {
        engine.clear();
    }

    @Test
    void unsignedRequestGetsTheDomainsRefusalOfAnAnonymousUser() throws Exception {
        HttpResponse<String> get = SigningClients.sendUnsigned("GET", esUrl.resolve("/clicks/_search"), null);
        HttpResponse<String> post = SigningClients.sendUnsigned("POST", esUrl.resolve("/_bulk"), "{\"index\":{}}\n{}\n");

        assertThat(get.statusCode()).isEqualTo(403);
        assertThat(get.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(get.body()).isEqualTo("{\"Message\":\"User: anonymous is not authorized to perform: es:ESHttpGet"
                + " because no resource-based policy allows the es:ESHttpGet action\"}");
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(json(post).get("Message").asText()).startsWith("User: anonymous is not authorized to perform: es:ESHttpPost");
        assertThat(engine.received()).isEmpty();
    }

    @Test
    void wrongSecretGets403WithTheSignatureMismatchAndWhatTheFrontSigned() throws Exception {
        HttpResponse<String> response = SigningClients.sendSigned("GET", esUrl.resolve("/clicks/_count"), null, Map.of(),
                AwsCredentialsIdentity.create(SigningClients.ACCESS_KEY_ID, "wrong-secret"), "es", false);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).get("message").asText())
                .startsWith("The request signature we calculated does not match the signature you provided. "
                        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
                .contains("The Canonical String for this request should have been\n'GET\n/clicks/_count\n")
                .contains("/us-east-1/es/aws4_request")
                .doesNotContain(SigningClients.SECRET_ACCESS_KEY);
        assertThat(engine.received()).isEmpty();
    }

    @Test
    void unknownKeyGets403InvalidSecurityToken() throws Exception {
        HttpResponse<String> response = SigningClients.sendSigned("GET", esUrl.resolve("/"), null, Map.of(),
                AwsCredentialsIdentity.create("AKIAUNKNOWN000000000", SigningClients.SECRET_ACCESS_KEY), "es", false);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"message\":\"The security token included in the request is invalid.\"}");
        assertThat(engine.received()).isEmpty();
    }

    @Test
    void expiredTemporaryKeyGets403ExpiredToken() throws Exception {
        HttpResponse<String> response = SigningClients.sendSigned("GET", esUrl.resolve("/"), null, Map.of(),
                AwsSessionCredentialsIdentity.create(EXPIRED.accessKeyId(), EXPIRED.secretAccessKey(), EXPIRED.sessionToken()), "es", false);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"message\":\"The security token included in the request is expired\"}");
        assertThat(engine.received()).isEmpty();
    }

    @Test
    void signatureForAnotherServiceIsRefused() throws Exception {
        HttpResponse<String> forFirehose = SigningClients.sendSigned("GET", esUrl.resolve("/"), null, Map.of(), STACK_KEY, "firehose", false);
        HttpResponse<String> forAoss = SigningClients.sendSigned("GET", esUrl.resolve("/"), null, Map.of(), STACK_KEY, "aoss", true);

        assertThat(forFirehose.statusCode()).isEqualTo(403);
        assertThat(json(forFirehose).get("message").asText()).isEqualTo("Credential should be scoped to correct service: 'es'. ");
        assertThat(forAoss.statusCode()).isEqualTo(403);
        assertThat(engine.received()).isEmpty();
    }

    @Test
    void signedRequestsPassThroughWithTheEnginesAnswer() throws Exception {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        HttpResponse<String> get = SigningClients.sendSigned("GET", esUrl.resolve("/clicks/_search?q=user_id:Aster%20Kotlin&size=1"),
                null, Map.of(), STACK_KEY, "es", false);
        HttpResponse<String> post = SigningClients.sendSigned("POST", esUrl.resolve("/clicks/_doc?refresh=true"),
                "{\"interest_id\":1201}", json, STACK_KEY, "es", false);
        HttpResponse<String> put = SigningClients.sendSigned("PUT", esUrl.resolve("/clicks-2"), "{\"settings\":{}}", json, STACK_KEY, "es", false);
        HttpResponse<String> delete = SigningClients.sendSigned("DELETE", esUrl.resolve("/missing-index"), null, Map.of(), STACK_KEY, "es", false);

        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("{\"method\":\"GET\",\"path\":\"/clicks/_search\",\"bodyLength\":0}");
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).isEqualTo("{\"method\":\"POST\",\"path\":\"/clicks/_doc\",\"bodyLength\":20}");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(delete.statusCode()).isEqualTo(404);
        assertThat(delete.body()).isEqualTo("{\"error\":{\"type\":\"index_not_found_exception\"},\"status\":404}");
        for (HttpResponse<String> answer : List.of(get, post, put, delete)) {
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json; charset=UTF-8");
            assertThat(answer.headers().firstValue("X-Fake-Engine")).hasValue("answered");
        }

        List<FakeEngine.Received> received = engine.received();
        assertThat(received).extracting(FakeEngine.Received::method).containsExactly("GET", "POST", "PUT", "DELETE");
        assertThat(received).extracting(FakeEngine.Received::rawPath).containsExactly("/clicks/_search", "/clicks/_doc", "/clicks-2",
                "/missing-index");
        assertThat(received.get(0).rawQuery()).isEqualTo("q=user_id:Aster%20Kotlin&size=1");
        assertThat(received.get(1).rawQuery()).isEqualTo("refresh=true");
        assertThat(received.get(1).body()).isEqualTo("{\"interest_id\":1201}");
        assertThat(received.get(1).header("Content-Type")).isEqualTo("application/json");
        assertThat(received.get(2).body()).isEqualTo("{\"settings\":{}}");
        for (FakeEngine.Received r : received) {
            assertThat(r.headers()).doesNotContainKeys("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256");
        }
    }

    @Test
    void headPassesWithTheStatusAndNoBody() throws Exception {
        HttpResponse<String> head = SigningClients.sendSigned("HEAD", esUrl.resolve("/missing-index"), null, Map.of(), STACK_KEY, "es", false);

        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
        assertThat(engine.received()).extracting(FakeEngine.Received::method).containsExactly("HEAD");
    }

    @Test
    void temporaryCredentialsPassWithTheirSessionToken() throws Exception {
        HttpResponse<String> response = SigningClients.sendSigned("GET", esUrl.resolve("/"), null, Map.of(),
                AwsSessionCredentialsIdentity.create(TEMPORARY.accessKeyId(), TEMPORARY.secretAccessKey(), TEMPORARY.sessionToken()), "es", false);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("version").path("number").asText()).isEqualTo("2.19.6");
        assertThat(engine.received()).singleElement().satisfies(r -> assertThat(r.headers()).doesNotContainKey("x-amz-security-token"));
    }

    @Test
    void aossRefusesASignedRequestWithoutTheContentHash() throws Exception {
        HttpResponse<String> response = SigningClients.sendSignedWithoutContentHash("POST", aossUrl.resolve("/clicks/_doc"),
                "{\"interest_id\":1}", "aoss");
        // The same signing, for a domain, passes: only the missing header is wrong.
        HttpResponse<String> forDomain = SigningClients.sendSignedWithoutContentHash("POST", esUrl.resolve("/clicks/_doc"),
                "{\"interest_id\":1}", "es");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("x-aoss-response-hint")).hasValue("X01:gw-helper-deny");
        JsonNode body = json(response);
        assertThat(body.get("status").asInt()).isEqualTo(403);
        assertThat(body.get("request-id").asText()).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(body.get("error").toString()).isEqualTo("{\"reason\":\"403 Forbidden\",\"type\":\"Forbidden\"}");
        assertThat(forDomain.statusCode()).isEqualTo(200);
        assertThat(engine.received()).extracting(FakeEngine.Received::rawPath).containsExactly("/clicks/_doc");
    }

    @Test
    void aossPassesARequestSignedForAossWithTheContentHashAndRefusesOneSignedForEs() throws Exception {
        HttpResponse<String> signed = SigningClients.sendSigned("POST", aossUrl.resolve("/clicks/_doc"), "{\"interest_id\":1}",
                Map.of("Content-Type", "application/json"), STACK_KEY, "aoss", true);
        HttpResponse<String> forEs = SigningClients.sendSigned("GET", aossUrl.resolve("/"), null, Map.of(), STACK_KEY, "es", true);
        HttpResponse<String> unsigned = SigningClients.sendUnsigned("GET", aossUrl.resolve("/"), null);

        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEqualTo("{\"method\":\"POST\",\"path\":\"/clicks/_doc\",\"bodyLength\":17}");
        assertThat(forEs.statusCode()).isEqualTo(403);
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(json(unsigned).path("error").path("type").asText()).isEqualTo("Forbidden");
        assertThat(engine.received()).extracting(FakeEngine.Received::method).containsExactly("POST");
    }

    @Test
    void aBodyOverTheLimitGets413AsADomainAnswersIt() throws Exception {
        SearchFront small = new SearchFront(vertx, SearchFrontMode.ES, new CredentialStore(List.of()), "us-east-1", Duration.ofMinutes(5),
                Clock.systemUTC(), engine.url(), 10, MAPPER, new AuthCounts());
        try {
            URI url = URI.create("http://127.0.0.1:" + small.listen("127.0.0.1", 0) + "/_bulk");
            HttpResponse<String> response = SigningClients.sendUnsigned("POST", url, "{\"index\":{}}\n{}\n");

            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).isEqualTo("{\"Message\":\"Request size exceeded 10 bytes\"}");
        } finally {
            small.close();
        }
    }

    @Test
    void botocoreSigV4AuthPassesWithTheStacksKeyAndIsRefusedWithAWrongSecretOrWithoutTheContentHashForAoss() throws Exception {
        assumeTrue(SigningClients.pythonHas("botocore"), "python3 with botocore is not installed (Debian: python3-botocore)");
        // botocore signs as its own SigV4Auth does; urllib sends exactly what was signed.
        String script = String.join("\n",
                "import os, urllib.request, urllib.error",
                "from botocore.auth import SigV4Auth",
                "from botocore.awsrequest import AWSRequest",
                "from botocore.credentials import Credentials",
                "url = os.environ['FRONT_URL'] + '/clicks/_doc/1?refresh=true'",
                "body = b'{\"interest_id\":1101}'",
                "request = AWSRequest(method='PUT', url=url, data=body, headers={'Content-Type': 'application/json'})",
                "SigV4Auth(Credentials(os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY']), os.environ['SERVICE'], 'us-east-1')"
                        + ".add_auth(request)",
                "prepared = request.prepare()",
                "try:",
                "    answer = urllib.request.urlopen(urllib.request.Request(prepared.url, data=body, method='PUT', headers=dict(prepared.headers)))",
                "    print(answer.status, answer.read().decode())",
                "except urllib.error.HTTPError as e:",
                "    print(e.code, e.read().decode())");
        Map<String, String> env = Map.of("FRONT_URL", esUrl.toString(), "SERVICE", "es");

        Result signed = SigningClients.run(List.of("python3", "-c", script), SigningClients.ACCESS_KEY_ID, SigningClients.SECRET_ACCESS_KEY, env);
        Result wrong = SigningClients.run(List.of("python3", "-c", script), SigningClients.ACCESS_KEY_ID, "wrong-secret", env);
        // botocore's SigV4Auth sends no x-amz-content-sha256.
        Result aossWithoutHash = SigningClients.run(List.of("python3", "-c", script), SigningClients.ACCESS_KEY_ID,
                SigningClients.SECRET_ACCESS_KEY, Map.of("FRONT_URL", aossUrl.toString(), "SERVICE", "aoss"));

        assertThat(signed.exit()).as(signed.output()).isZero();
        assertThat(signed.output()).startsWith("201 {\"method\":\"PUT\",\"path\":\"/clicks/_doc/1\",\"bodyLength\":20}");
        assertThat(wrong.output()).startsWith("403 {\"message\":\"The request signature we calculated does not match");
        assertThat(aossWithoutHash.output()).startsWith("403 {\"status\":403,");
        assertThat(engine.received()).singleElement().satisfies(r -> {
            assertThat(r.rawQuery()).isEqualTo("refresh=true");
            assertThat(r.body()).isEqualTo("{\"interest_id\":1101}");
        });
    }

    @Test
    void curlAwsSigv4PassesAsTheStackLauncherAndItsDocsUseIt() throws Exception {
        assumeTrue(SigningClients.commandRuns("curl", "--version"), "curl is not installed");
        List<String> get = List.of("curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:es",
                "--user", SigningClients.ACCESS_KEY_ID + ":" + SigningClients.SECRET_ACCESS_KEY, esUrl + "/");
        List<String> post = List.of("curl", "-s", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:es",
                "--user", SigningClients.ACCESS_KEY_ID + ":" + SigningClients.SECRET_ACCESS_KEY,
                "-H", "Content-Type: application/json", "-d", "{\"query\":{\"match_all\":{}}}", esUrl + "/clicks/_search");

        Result root = SigningClients.run(get, SigningClients.ACCESS_KEY_ID, SigningClients.SECRET_ACCESS_KEY, Map.of());
        Result search = SigningClients.run(post, SigningClients.ACCESS_KEY_ID, SigningClients.SECRET_ACCESS_KEY, Map.of());

        assertThat(root.output()).contains("\"number\":\"2.19.6\"").endsWith("\n200");
        assertThat(search.output()).isEqualTo("{\"method\":\"POST\",\"path\":\"/clicks/_search\",\"bodyLength\":26}\n200");
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return MAPPER.readTree(response.body());
    }
}
