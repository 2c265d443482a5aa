package io.firehosebridge.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHeader;
import org.apache.http.message.BasicHttpEntityEnclosingRequest;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.protocol.HttpCoreContext;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Search requests signed as AWS checks them. The requests the service sends go through the real low-level client, set up
 * by {@link SearchAuthentication}'s hook, to a server here that keeps what arrived; the signature is then recomputed from
 * those bytes with plain HMAC-SHA256, step by step as AWS documents Signature Version 4 (canonical request, string to
 * sign, derived key), not with the SDK's signer.
 */
class SearchRequestSignerTest {

    private static final String REGION = "eu-west-1";
    private static final AwsSessionCredentials SESSION = AwsSessionCredentials.create("ASIAEXAMPLESESSION",
            "session/secret+Key0123456789", "session-token-for-the-test");
    private static final AwsBasicCredentials LONG_TERM = AwsBasicCredentials.create("AKIAEXAMPLEKEYID", "long/term+secret9876543210");
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})");

    /** A request as the server received it: header names lower-cased. */
    record Received(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }
    }

    private static HttpServer server;
    private static final BlockingQueue<Received> RECEIVED = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, List<String>> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            RECEIVED.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(),
                    headers, body));
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    @BeforeEach
    void forgetEarlierRequests() {
        RECEIVED.clear();
    }

    @Test
    void signsTheScanSearchOverWhatWasSent() throws Exception {
        Request request = new Request("POST", "/clicks*/_search");
        request.addParameter("ignore_unavailable", "true");
        request.addParameter("allow_no_indices", "true");
        request.setJsonEntity("{\"size\":0,\"query\":{\"term\":{\"kafka.topic\":\"clicks-é\"}}}");
        Received r = send(SESSION, "es", request);

        assertThat(r.rawPath()).isEqualTo("/clicks*/_search");
        Signature s = Signature.of(r);
        assertThat(s.scope()).isEqualTo(s.date() + "/" + REGION + "/es/aws4_request");
        assertThat(s.accessKeyId()).isEqualTo(SESSION.accessKeyId());
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).parse(r.header("x-amz-date"), Instant::from);
        assertThat(Duration.between(signedAt, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(r.header("x-amz-date")).startsWith(s.date());
        assertThat(r.header("x-amz-security-token")).isEqualTo(SESSION.sessionToken());
        assertThat(s.signedHeaders()).contains("host", "content-type", "x-amz-date", "x-amz-security-token");
        assertThat(r.body()).isEqualTo("{\"size\":0,\"query\":{\"term\":{\"kafka.topic\":\"clicks-é\"}}}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.header("x-amz-content-sha256")).isEqualTo(sha256Hex(r.body()));
        assertThat(canonicalUri(r.rawPath())).isEqualTo("/clicks%2A/_search");
        assertThat(canonicalQuery(r.rawQuery())).isEqualTo("allow_no_indices=true&ignore_unavailable=true");
        assertThat(s.signature()).isEqualTo(expectedSignature(r, SESSION));
    }

    @Test
    void aGetWithoutBodyHashesTheEmptyString() throws Exception {
        Received r = send(SESSION, "es", new Request("GET", "/"));

        assertThat(r.body()).isEmpty();
        assertThat(r.header("x-amz-content-sha256")).isEqualTo(EMPTY_SHA256);
        assertThat(canonicalRequest(r, Signature.of(r).signedHeaders())).endsWith("\n" + EMPTY_SHA256);
        assertThat(Signature.of(r).signature()).isEqualTo(expectedSignature(r, SESSION));
    }

    @Test
    void signsTheRepairsRefreshOfSeveralIndicesWithoutBody() throws Exception {
        Received r = send(SESSION, "es", new Request("POST", "/clicks-2026-12-06,clicks-2026-12-07/_refresh"));

        assertThat(canonicalUri(r.rawPath())).isEqualTo("/clicks-2026-12-06%2Cclicks-2026-12-07/_refresh");
        assertThat(r.header("x-amz-content-sha256")).isEqualTo(EMPTY_SHA256);
        assertThat(Signature.of(r).signature()).isEqualTo(expectedSignature(r, SESSION));
    }

    @Test
    void signsTheBulkDeleteWithItsEncodedQueryAndNdjsonBody() throws Exception {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", "items.*.status,items.*.error.type,items.*.error.reason");
        byte[] ndjson = "{\"delete\":{\"_index\":\"clicks-2026-12-07\",\"_id\":\"a b\"}}\n".getBytes(StandardCharsets.UTF_8);
        request.setEntity(new NByteArrayEntity(ndjson, ContentType.create("application/x-ndjson")));
        Received r = send(SESSION, "es", request);

        assertThat(canonicalQuery(r.rawQuery())).isEqualTo("filter_path=items.%2A.status%2Citems.%2A.error.type%2Citems.%2A.error.reason");
        assertThat(r.body()).isEqualTo(ndjson);
        assertThat(r.header("x-amz-content-sha256")).isEqualTo(sha256Hex(ndjson));
        assertThat(Signature.of(r).signature()).isEqualTo(expectedSignature(r, SESSION));
    }

    @Test
    void signsTheIndexTemplatePut() throws Exception {
        Request request = new Request("PUT", "/_index_template/kafka-firehose-bridge-coordinates");
        request.setJsonEntity("{\"index_patterns\":[\"clicks*\"],\"priority\":100}");
        Received r = send(SESSION, "es", request);

        assertThat(r.method()).isEqualTo("PUT");
        assertThat(Signature.of(r).signature()).isEqualTo(expectedSignature(r, SESSION));
    }

    @Test
    void serverlessRequestsCarryTheContentHashAndTheirServiceName() throws Exception {
        Request request = new Request("POST", "/clicks*/_search");
        request.setJsonEntity("{\"size\":0}");
        Received r = send(SESSION, "aoss", request);

        Signature s = Signature.of(r);
        assertThat(s.scope()).isEqualTo(s.date() + "/" + REGION + "/aoss/aws4_request");
        assertThat(r.header("x-amz-content-sha256")).isEqualTo(sha256Hex("{\"size\":0}".getBytes(StandardCharsets.UTF_8)));
        assertThat(s.signedHeaders()).contains("host", "x-amz-content-sha256").doesNotContain("content-length");
        assertThat(s.signature()).isEqualTo(expectedSignature(r, SESSION));

        Received get = send(SESSION, "aoss", new Request("GET", "/"));
        assertThat(get.header("x-amz-content-sha256")).isEqualTo(EMPTY_SHA256);
        assertThat(Signature.of(get).signedHeaders()).contains("x-amz-content-sha256");
        assertThat(Signature.of(get).signature()).isEqualTo(expectedSignature(get, SESSION));
    }

    @Test
    void longTermKeysSendNoSecurityToken() throws Exception {
        Received r = send(LONG_TERM, "es", new Request("GET", "/"));

        assertThat(r.headers()).doesNotContainKey("x-amz-security-token");
        assertThat(Signature.of(r).signedHeaders()).doesNotContain("x-amz-security-token");
        assertThat(Signature.of(r).accessKeyId()).isEqualTo(LONG_TERM.accessKeyId());
        assertThat(Signature.of(r).signature()).isEqualTo(expectedSignature(r, LONG_TERM));
    }

    @Test
    void theHostSignedIsTheOneSentAndTheOnlyOne() throws Exception {
        Received r = send(SESSION, "es", new Request("GET", "/"));

        assertThat(r.headers().get("host")).containsExactly("127.0.0.1:" + server.getAddress().getPort());
        assertThat(Signature.of(r).signedHeaders()).contains("host");
    }

    @Test
    void sendsTheHostItSignedWhereTheClientHadWrittenTheDefaultPort() throws Exception {
        BasicHttpEntityEnclosingRequest request = new BasicHttpEntityEnclosingRequest("POST", "/clicks*/_search?allow_no_indices=true");
        request.setEntity(new NStringEntity("{\"size\":0}", ContentType.APPLICATION_JSON));
        request.setHeader("Host", "search-clicks.eu-west-1.es.amazonaws.com:443");
        request.setHeader("Content-Type", ContentType.APPLICATION_JSON.toString());
        HttpCoreContext context = HttpCoreContext.create();
        context.setTargetHost(new HttpHost("search-clicks.eu-west-1.es.amazonaws.com", 443, "https"));

        new SearchRequestSigner(StaticCredentialsProvider.create(SESSION), REGION, "es").process(request, context);

        assertThat(request.getHeaders("Host")).extracting(Header::getValue).containsExactly("search-clicks.eu-west-1.es.amazonaws.com");
        Map<String, List<String>> headers = new HashMap<>();
        for (Header h : request.getAllHeaders()) {
            headers.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), n -> new ArrayList<>()).add(h.getValue());
        }
        Received sent = new Received("POST", "/clicks*/_search", "allow_no_indices=true", headers, "{\"size\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(Signature.of(sent).signedHeaders()).contains("host");
        assertThat(Signature.of(sent).signature()).isEqualTo(expectedSignature(sent, SESSION));
    }

    @Test
    void replacesAnyOtherAuthorization() throws Exception {
        Received r = send(SESSION, "es", new Request("GET", "/"), new BasicHeader("Authorization", "Basic dXNlcjpwYXNz"));

        assertThat(r.headers().get("authorization")).hasSize(1).allMatch(a -> a.startsWith("AWS4-HMAC-SHA256 "));
    }

    /** So that the checks above cannot pass with a check that accepts anything. */
    @Test
    void theRecomputedSignatureChangesWithTheBodyTheSecretAndThePath() throws Exception {
        Request request = new Request("POST", "/clicks*/_search");
        request.setJsonEntity("{\"size\":0}");
        Received r = send(SESSION, "es", request);
        String sent = Signature.of(r).signature();
        assertThat(sent).isEqualTo(expectedSignature(r, SESSION));

        byte[] other = "{\"size\":1}".getBytes(StandardCharsets.UTF_8);
        Received tampered = new Received(r.method(), r.rawPath(), r.rawQuery(), r.headers(), other);
        assertThat(expectedSignature(tampered, SESSION)).isNotEqualTo(sent);
        assertThat(expectedSignature(r, AwsSessionCredentials.create(SESSION.accessKeyId(), "another-secret", SESSION.sessionToken())))
                .isNotEqualTo(sent);
        assertThat(expectedSignature(new Received(r.method(), "/clicks/_search", r.rawQuery(), r.headers(), r.body()), SESSION)).isNotEqualTo(sent);
    }

    @Test
    void noneSendsNoSignature() throws Exception {
        try (RestClient client = client(SearchAuthenticationTest.authentication(LONG_TERM, Map.of()))) {
            client.performRequest(new Request("GET", "/"));
        }
        Received r = RECEIVED.poll(10, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.headers()).doesNotContainKeys("authorization", "x-amz-date", "x-amz-content-sha256");
    }

    private static Received send(AwsCredentials credentials, String service, Request request, BasicHeader... defaultHeaders) throws Exception {
        SearchAuthentication auth = SearchAuthenticationTest.authentication(credentials, Map.of(
                "bridge.search.auth", "aws-sigv4", "bridge.search.aws-service", service, "bridge.aws.region", REGION));
        try (RestClient client = RestClient.builder(new HttpHost("127.0.0.1", server.getAddress().getPort(), "http"))
                .setDefaultHeaders(defaultHeaders).setHttpClientConfigCallback(auth).build()) {
            assertThat(client.performRequest(request).getStatusLine().getStatusCode()).isEqualTo(200);
        }
        Received r = RECEIVED.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("the request reached the server").isNotNull();
        return r;
    }

    private static RestClient client(SearchAuthentication auth) {
        return RestClient.builder(new HttpHost("127.0.0.1", server.getAddress().getPort(), "http")).setHttpClientConfigCallback(auth).build();
    }

    /** The parts of the Authorization header a server reads. */
    record Signature(String accessKeyId, String date, String scope, List<String> signedHeaders, String signature) {
        static Signature of(Received r) {
            String authorization = r.header("authorization");
            assertThat(authorization).as("Authorization header").isNotNull();
            Matcher m = AUTHORIZATION.matcher(authorization);
            assertThat(m.matches()).as("Authorization header in the SigV4 form: " + authorization).isTrue();
            return new Signature(m.group(1), m.group(2), m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/aws4_request",
                    List.of(m.group(5).split(";")), m.group(6));
        }
    }

    /** The signature AWS expects for what arrived, with the given credentials' secret and the scope the request names. */
    static String expectedSignature(Received r, AwsCredentials credentials) throws GeneralSecurityException {
        Signature s = Signature.of(r);
        String stringToSign = "AWS4-HMAC-SHA256\n" + r.header("x-amz-date") + "\n" + s.scope() + "\n"
                + sha256Hex(canonicalRequest(r, s.signedHeaders()).getBytes(StandardCharsets.UTF_8));
        String[] scope = s.scope().split("/");
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), scope[0]);
        key = hmac(key, scope[1]);
        key = hmac(key, scope[2]);
        key = hmac(key, "aws4_request");
        return HexFormat.of().formatHex(hmac(key, stringToSign));
    }

    /** Method, path, query, the signed headers with their values, their names, and the hash of the body received. */
    static String canonicalRequest(Received r, List<String> signedHeaders) throws GeneralSecurityException {
        StringBuilder headers = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = r.headers().get(name);
            assertThat(values).as("signed header " + name + " was sent").isNotNull();
            headers.append(name).append(':')
                    .append(values.stream().map(v -> v.trim().replaceAll(" +", " ")).collect(Collectors.joining(","))).append('\n');
        }
        return r.method() + "\n" + canonicalUri(r.rawPath()) + "\n" + canonicalQuery(r.rawQuery()) + "\n" + headers + "\n"
                + String.join(";", signedHeaders) + "\n" + sha256Hex(r.body());
    }

    /** The path as sent, each character outside the unreserved set and '/' percent-encoded once more (all services but S3). */
    static String canonicalUri(String rawPath) {
        return rawPath.isEmpty() ? "/" : encode(rawPath, true);
    }

    /** Names and values as the client meant them, strictly encoded, sorted by name and then value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            pairs.add(new String[] { encode(name, false), encode(value, false) });
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        return pairs.stream().map(p -> p[0] + "=" + p[1]).collect(Collectors.joining("&"));
    }

    private static String encode(String text, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~'
                    || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    static String sha256Hex(byte[] bytes) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
