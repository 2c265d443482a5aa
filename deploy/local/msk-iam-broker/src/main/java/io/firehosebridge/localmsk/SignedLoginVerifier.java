package io.firehosebridge.localmsk;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks one AWS_MSK_IAM login: the JSON object the aws-msk-iam-auth client sends as its first (and only) SASL message.
 * <p>
 * The client builds it from a SigV4 <em>presigned</em> request {@code GET https://<broker host>/?Action=kafka-cluster:Connect}
 * for the service scope {@code kafka-cluster}: every query parameter of the presigned request (names lower-cased) and its
 * {@code host} header become fields, besides {@code version} ({@code 2020_10_22}) and {@code user-agent}. That layout is not
 * documented by AWS beyond the library; it was read from the library's source (aws/aws-msk-iam-auth,
 * {@code AWS4SignedPayloadGenerator}, {@code AuthenticationRequestParams}). This class rebuilds the canonical request from
 * those fields, recomputes the signature with the secret it knows for the access key, and refuses the login, with the words
 * AWS uses, when anything does not hold: version, action, host, algorithm, credential scope (date, region, service),
 * signed headers, the key, its session token and expiry, the signing time against this broker's clock (not more than 5 minutes
 * ahead) and the presigned request's own expiry (X-Amz-Expires after the signing time).
 */
final class SignedLoginVerifier {

    static final String VERSION = "2020_10_22";
    static final String ACTION = "kafka-cluster:Connect";
    static final String SERVICE = "kafka-cluster";
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** How far the signing time may be ahead of this broker's clock (what AWS allows SigV4 requests). */
    static final Duration ALLOWED_SKEW = Duration.ofMinutes(5);
    /** The longest X-Amz-Expires SigV4 accepts. */
    static final long MAX_EXPIRES_SECONDS = 604_800;

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SCOPE_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    /** The fields of the payload that were query parameters of the presigned request, by the name the signer gave them. */
    private static final List<String> QUERY_PARAMETERS = List.of("Action", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
            "X-Amz-Expires", "X-Amz-Security-Token", "X-Amz-SignedHeaders");

    /** A key this broker knows: its secret, and for temporary credentials the session token and when they expire. */
    record Key(String accessKeyId, String secret, String sessionToken, Instant expires, String principal) {
    }

    /** Why a login is refused; the message goes back to the client. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Map<String, Key> keys;
    private final String region;
    private final List<String> hosts;
    private final Clock clock;

    SignedLoginVerifier(Map<String, Key> keys, String region, List<String> hosts, Clock clock) {
        this.keys = Map.copyOf(keys);
        this.region = region;
        this.hosts = List.copyOf(hosts);
        this.clock = clock;
    }

    /** The principal of the key that signed {@code payload}, or {@link Refused} saying why not. */
    Key verify(Map<String, String> payload) throws Refused {
        require(VERSION.equals(payload.get("version")), "Invalid version " + payload.get("version") + ", expected " + VERSION);
        require(ACTION.equals(payload.get("action")), "Invalid action " + payload.get("action") + ", expected " + ACTION);
        String host = field(payload, "host");
        require(hosts.stream().anyMatch(h -> h.equalsIgnoreCase(host)), "Invalid host " + host + ": this broker is " + hosts);
        require(ALGORITHM.equals(payload.get("x-amz-algorithm")), "Unsupported algorithm " + payload.get("x-amz-algorithm"));
        require(field(payload, "x-amz-signedheaders").equals("host"), "Signed headers must be exactly 'host', were "
                + payload.get("x-amz-signedheaders"));

        String[] scope = field(payload, "x-amz-credential").split("/", -1);
        require(scope.length == 5 && scope[4].equals("aws4_request"), "Malformed credential scope " + payload.get("x-amz-credential"));
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(field(payload, "x-amz-date")));
        } catch (DateTimeParseException e) {
            throw new Refused("Malformed X-Amz-Date " + payload.get("x-amz-date"));
        }
        require(scope[1].equals(SCOPE_DATE.format(signedAt)), "Credential scope date " + scope[1] + " is not the signing date "
                + payload.get("x-amz-date"));
        require(scope[2].equals(region), "Credential should be scoped to a valid region, not '" + scope[2] + "' (this broker is in "
                + region + ")");
        require(scope[3].equals(SERVICE), "Credential should be scoped to correct service: '" + SERVICE + "', not '" + scope[3] + "'");

        Key key = keys.get(scope[0]);
        require(key != null, "The security token included in the request is invalid: access key " + scope[0] + " is unknown");
        String token = payload.get("x-amz-security-token");
        if (key.sessionToken() == null) {
            require(token == null, "The security token included in the request is invalid: access key " + scope[0]
                    + " takes no session token");
        } else {
            require(token != null, "The security token included in the request is invalid: temporary access key " + scope[0]
                    + " needs its session token");
            require(MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), key.sessionToken().getBytes(StandardCharsets.UTF_8)),
                    "The security token included in the request is invalid");
        }

        Instant now = clock.instant();
        if (key.expires() != null) {
            require(now.isBefore(key.expires()), "The security token included in the request is expired (credentials of "
                    + scope[0] + " expired at " + key.expires() + ")");
        }
        require(!signedAt.isAfter(now.plus(ALLOWED_SKEW)), "Signature not yet current: " + payload.get("x-amz-date")
                + " is still later than " + AMZ_DATE.format(now.plus(ALLOWED_SKEW)) + " (" + AMZ_DATE.format(now) + " + 5 min)");
        long expires;
        try {
            expires = Long.parseLong(field(payload, "x-amz-expires"));
        } catch (NumberFormatException e) {
            throw new Refused("Malformed X-Amz-Expires " + payload.get("x-amz-expires"));
        }
        require(expires > 0 && expires <= MAX_EXPIRES_SECONDS, "X-Amz-Expires must be 1.." + MAX_EXPIRES_SECONDS + ", was " + expires);
        // A presigned request is good from its signing time (less the skew) until X-Amz-Expires after it.
        require(!now.isAfter(signedAt.plusSeconds(expires)), "Signature expired: " + payload.get("x-amz-date") + " + X-Amz-Expires "
                + expires + " s is earlier than " + AMZ_DATE.format(now));

        String expected = signature(payload, host, key.secret(), scope);
        require(MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                field(payload, "x-amz-signature").getBytes(StandardCharsets.US_ASCII)),
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
                        + "and signing method.");
        return key;
    }

    /** The SigV4 signature of the presigned {@code GET /} the client signed, as this broker computes it. */
    static String signature(Map<String, String> payload, String host, String secret, String[] scope) {
        // Canonical query: every query parameter but the signature, names as the signer wrote them, sorted, RFC 3986 encoded.
        TreeMap<String, String> query = new TreeMap<>();
        for (String name : QUERY_PARAMETERS) {
            String value = payload.get(name.toLowerCase(Locale.ROOT));
            if (value != null) {
                query.put(encode(name), encode(value));
            }
        }
        StringBuilder canonicalQuery = new StringBuilder();
        query.forEach((k, v) -> canonicalQuery.append(canonicalQuery.length() == 0 ? "" : "&").append(k).append('=').append(v));
        String canonicalRequest = "GET\n/\n" + canonicalQuery + "\nhost:" + host.trim() + "\n\nhost\n" + sha256Hex(new byte[0]);
        String stringToSign = ALGORITHM + "\n" + payload.get("x-amz-date") + "\n" + String.join("/", scope[1], scope[2], scope[3], scope[4])
                + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
        byte[] signingKey = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scope[1]);
        signingKey = hmac(signingKey, scope[2]);
        signingKey = hmac(signingKey, scope[3]);
        signingKey = hmac(signingKey, scope[4]);
        return HexFormat.of().formatHex(hmac(signingKey, stringToSign));
    }

    /** RFC 3986 percent-encoding: everything but unreserved characters, upper-case hex. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String field(Map<String, String> payload, String name) throws Refused {
        String value = payload.get(name);
        if (value == null || value.isEmpty()) {
            throw new Refused("Missing field '" + name + "' in the authentication payload");
        }
        return value;
    }

    private static void require(boolean condition, String message) throws Refused {
        if (!condition) {
            throw new Refused(message);
        }
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
