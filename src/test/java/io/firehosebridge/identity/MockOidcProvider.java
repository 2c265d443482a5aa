package io.firehosebridge.identity;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A minimal OIDC provider for {@link OidcAccessTest}, in the test's JVM on 127.0.0.1: its discovery document and its keys
 * (JWKS), which {@code POST /realms/test/rotate} replaces by a new key, as a provider rotating its signing key does. Tokens
 * are signed here with jose4j (quarkus-oidc brings it) and handed out by {@code GET /realms/test/mint?kind=&sub=&name=&groups=},
 * so each test says exactly what a token holds. Over HTTP rather than through static fields: the test class and its test
 * resources may be loaded by different class loaders.
 */
public class MockOidcProvider implements QuarkusTestResourceLifecycleManager {

    public static final String AUDIENCE = "kafka-firehose-bridge";

    private static HttpServer server;
    private static volatile RsaJsonWebKey current;
    private static final AtomicInteger KEYS = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        try {
            current = newKey();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/realms/test/.well-known/openid-configuration", e -> answer(e, discovery()));
            server.createContext("/realms/test/protocol/openid-connect/certs", e -> {
                answer(e, new JsonWebKeySet(List.<JsonWebKey> of(current)).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
            });
            server.createContext("/realms/test/rotate", e -> {
                rotate();
                answer(e, "{\"kid\":\"" + current.getKeyId() + "\"}");
            });
            server.createContext("/realms/test/mint", e -> answer(e, mint(query(e.getRequestURI().getRawQuery()))));
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("quarkus.oidc.auth-server-url", issuer());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** The issuer this provider signs for. */
    public static String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
    }

    /** Publishes a new signing key instead of the current one; tokens signed with the old key are then refused. */
    static void rotate() {
        current = newKey();
    }

    /** A token of this provider: for this service's audience, valid for five minutes, with these groups. */
    static String token(String subject, String name, String... groups) {
        return sign(current, claims(issuer(), AUDIENCE, subject, name, groups, 300));
    }

    /** A token whose expiry lies ten minutes in the past. */
    static String expiredToken(String subject, String... groups) {
        return sign(current, claims(issuer(), AUDIENCE, subject, subject, groups, -600));
    }

    /** A token, signed with this provider's key, that names another issuer. */
    static String tokenOfAnotherIssuer(String subject, String... groups) {
        return sign(current, claims("http://127.0.0.1:1/realms/other", AUDIENCE, subject, subject, groups, 300));
    }

    /** A token for another service's audience. */
    static String tokenForAnotherAudience(String subject, String... groups) {
        return sign(current, claims(issuer(), "another-service", subject, subject, groups, 300));
    }

    /** A token signed with a key this provider never published (same key id as the current one). */
    static String tokenSignedByAnotherKey(String subject, String... groups) {
        RsaJsonWebKey stranger = newKey();
        stranger.setKeyId(current.getKeyId());
        return sign(stranger, claims(issuer(), AUDIENCE, subject, subject, groups, 300));
    }

    private static String mint(Map<String, String> q) {
        String sub = q.getOrDefault("sub", "someone");
        String name = q.getOrDefault("name", sub);
        String[] groups = q.getOrDefault("groups", "").isEmpty() ? new String[0] : q.get("groups").split(",");
        return switch (q.getOrDefault("kind", "valid")) {
            case "expired" -> expiredToken(sub, groups);
            case "other-issuer" -> tokenOfAnotherIssuer(sub, groups);
            case "other-audience" -> tokenForAnotherAudience(sub, groups);
            case "other-key" -> tokenSignedByAnotherKey(sub, groups);
            default -> token(sub, name, groups);
        };
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private static JwtClaims claims(String issuer, String audience, String subject, String name, String[] groups, int lifetimeSeconds) {
        JwtClaims claims = new JwtClaims();
        long now = System.currentTimeMillis() / 1000;
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject(subject);
        claims.setClaim("preferred_username", name);
        claims.setStringListClaim("groups", groups);
        claims.setIssuedAt(NumericDate.fromSeconds(lifetimeSeconds < 0 ? now + lifetimeSeconds - 300 : now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + lifetimeSeconds));
        return claims;
    }

    private static String sign(RsaJsonWebKey key, JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RsaJsonWebKey newKey() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("key-" + KEYS.incrementAndGet());
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String discovery() {
        String base = issuer() + "/protocol/openid-connect";
        return "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + base + "/certs\",\"authorization_endpoint\":\"" + base
                + "/auth\",\"token_endpoint\":\"" + base + "/token\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
    }

    private static void answer(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", text.startsWith("{") ? "application/json" : "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
