package io.firehosebridge.localfirehose.auth;

import io.firehosebridge.localfirehose.api.FirehoseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks the AWS Signature Version 4 of a call the way AWS does for one service (Firehose unless told another, such as
 * {@code es} for a search domain), and refuses it with AWS's wording. What a refusal becomes is the caller's choice (a
 * {@link Refusal} and the message go to the function it gives); Firehose's own answers, with their statuses, are:
 * <ul>
 * <li>no {@code Authorization} header: 403 {@code MissingAuthenticationTokenException};</li>
 * <li>a header that is not a SigV4 one, lacks a part, or has no {@code X-Amz-Date}: 400 {@code IncompleteSignatureException};</li>
 * <li>a credential scope for another day, region, service or terminator, {@code host} not signed, an {@code X-Amz-Date}
 * more than the allowed skew (5 minutes) from this endpoint's clock, or a signature that differs from the one computed with
 * the key's secret: 400 {@code InvalidSignatureException};</li>
 * <li>an unknown access key, or a session token that is missing, wrong or not expected: 400
 * {@code UnrecognizedClientException};</li>
 * <li>temporary credentials past their expiration: 400 {@code ExpiredTokenException}.</li>
 * </ul>
 * The payload hash is always that of the body as received: Firehose takes no {@code UNSIGNED-PAYLOAD} or streaming payload,
 * so a client that signed such a marker instead of the body's hash gets {@code InvalidSignatureException}.
 * <p>
 * {@link #forS3} checks with S3's rules instead: the canonical URI is the path encoded once, neither normalized nor
 * encoded twice, and the payload hash is what {@code x-amz-content-sha256} says (a hash, {@code UNSIGNED-PAYLOAD} or a
 * {@code STREAMING-...} marker), which must be a signed header; whether a hash matches the body is the caller's check.
 */
public final class SigV4Verifier {

    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    public static final String SERVICE = "firehose";
    static final String TERMINATOR = "aws4_request";
    /** The header S3 takes the payload hash from. */
    public static final String CONTENT_SHA256 = "x-amz-content-sha256";

    static final String MISSING_TOKEN = "Missing Authentication Token";
    static final String INVALID_TOKEN = "The security token included in the request is invalid.";
    static final String EXPIRED_TOKEN = "The security token included in the request is expired";
    static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you provided. "
            + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final CredentialStore credentials;
    private final String region;
    private final String service;
    private final Duration allowedSkew;
    private final Clock clock;
    private final BiFunction<Refusal, String, ? extends RuntimeException> refusals;
    private final boolean s3;

    /** A verifier of Firehose calls, refusing them with Firehose's {@link FirehoseException}s. */
    public SigV4Verifier(CredentialStore credentials, String region, Duration allowedSkew, Clock clock) {
        this(credentials, region, SERVICE, allowedSkew, clock, SigV4Verifier::firehoseError);
    }

    /**
     * A verifier of calls to {@code service} (the credential scope's service, e.g. {@code es}); a refusal is thrown as what
     * {@code refusals} makes of it and AWS's message.
     */
    public SigV4Verifier(CredentialStore credentials, String region, String service, Duration allowedSkew, Clock clock,
            BiFunction<Refusal, String, ? extends RuntimeException> refusals) {
        this(credentials, region, service, allowedSkew, clock, refusals, false);
    }

    private SigV4Verifier(CredentialStore credentials, String region, String service, Duration allowedSkew, Clock clock,
            BiFunction<Refusal, String, ? extends RuntimeException> refusals, boolean s3) {
        this.s3 = s3;
        this.credentials = credentials;
        this.region = region;
        this.service = service;
        this.allowedSkew = allowedSkew;
        this.clock = clock;
        this.refusals = refusals;
    }

    /** A verifier of calls to S3 (service {@code s3}) with S3's canonical URI and payload hash, refusing as {@code refusals} says. */
    public static SigV4Verifier forS3(CredentialStore credentials, String region, Duration allowedSkew, Clock clock,
            BiFunction<Refusal, String, ? extends RuntimeException> refusals) {
        return new SigV4Verifier(credentials, region, "s3", allowedSkew, clock, refusals, true);
    }

    /** Firehose's answer to a refusal: the code in {@code __type}, 403 when no signature came and 400 for every other. */
    public static FirehoseException firehoseError(Refusal refusal, String message) {
        return new FirehoseException(refusal.code(), refusal == Refusal.MISSING_AUTHENTICATION_TOKEN ? 403 : 400, message);
    }

    /** The key that signed {@code request}; throws what the refusal function makes of AWS's answer when it cannot be trusted. */
    public Credential verify(IncomingRequest request) {
        String authorization = request.first("Authorization");
        if (authorization == null) {
            throw refusals.apply(Refusal.MISSING_AUTHENTICATION_TOKEN, MISSING_TOKEN);
        }
        Authorization auth = Authorization.parse(authorization, request.first("X-Amz-Date"), this::incomplete);
        Instant signedAt = parseAmzDate(auth.amzDate());

        String[] scope = auth.scope();
        String scopeDate = auth.amzDate().substring(0, 8);
        if (!scope[1].equals(scopeDate)) {
            throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
                    + scope[1] + "' != '" + scopeDate + "', from '" + auth.amzDate() + "'.");
        }
        if (!scope[2].equals(region)) {
            throw invalidSignature("Credential should be scoped to a valid region, not '" + scope[2] + "'. ");
        }
        if (!scope[3].equals(service)) {
            throw invalidSignature("Credential should be scoped to correct service: '" + service + "'. ");
        }
        if (!scope[4].equals(TERMINATOR)) {
            throw invalidSignature("Credential should be scoped with a valid terminator: '" + TERMINATOR + "', not '" + scope[4] + "'. ");
        }
        if (!auth.signedHeaders().contains("host")) {
            throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        if (s3 && !auth.signedHeaders().contains(CONTENT_SHA256)) {
            throw invalidSignature("'" + CONTENT_SHA256 + "' must be a 'SignedHeader' in the AWS Authorization.");
        }
        checkSkew(auth.amzDate(), signedAt);

        Credential key = credentials.find(scope[0])
                .orElseThrow(() -> refusals.apply(Refusal.UNRECOGNIZED_CLIENT, INVALID_TOKEN));
        String token = request.first("X-Amz-Security-Token");
        if (key.temporary() && token == null) {
            throw refusals.apply(Refusal.MISSING_SESSION_TOKEN, INVALID_TOKEN);
        }
        if (key.temporary() ? !constantTimeEquals(token, key.sessionToken()) : token != null) {
            throw refusals.apply(Refusal.INVALID_SESSION_TOKEN, INVALID_TOKEN);
        }
        if (key.expiration() != null && !clock.instant().isBefore(key.expiration())) {
            throw refusals.apply(Refusal.EXPIRED_TOKEN, EXPIRED_TOKEN);
        }

        String canonicalRequest = canonicalRequest(request, auth.signedHeaders(), s3);
        String credentialScope = String.join("/", scope[1], scope[2], scope[3], scope[4]);
        String stringToSign = ALGORITHM + "\n" + auth.amzDate() + "\n" + credentialScope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        String expected = signature(key.secretAccessKey(), scope[1], scope[2], scope[3], stringToSign);
        if (!constantTimeEquals(expected, auth.signature())) {
            // AWS shows what it signed (nothing secret in it), so a client can find where its own canonical request differs.
            throw refusals.apply(Refusal.SIGNATURE_MISMATCH, SIGNATURE_MISMATCH + "\n\nThe Canonical String for this request should have been\n'" + canonicalRequest
                    + "'\n\nThe String-to-Sign should have been\n'" + stringToSign + "'\n");
        }
        return key;
    }

    /** Refuses a signing time more than the allowed skew before or after now (the boundary itself is accepted). */
    private void checkSkew(String amzDate, Instant signedAt) {
        Instant now = clock.instant();
        String minutes = allowedSkew.toMinutes() + " min.";
        if (signedAt.isBefore(now.minus(allowedSkew))) {
            throw refusals.apply(Refusal.SIGNATURE_EXPIRED, "Signature expired: " + amzDate + " is now earlier than " + AMZ_DATE.format(now.minus(allowedSkew))
                    + " (" + AMZ_DATE.format(now) + " - " + minutes + ")");
        }
        if (signedAt.isAfter(now.plus(allowedSkew))) {
            throw refusals.apply(Refusal.SIGNATURE_EXPIRED, "Signature not yet current: " + amzDate + " is still later than " + AMZ_DATE.format(now.plus(allowedSkew))
                    + " (" + AMZ_DATE.format(now) + " + " + minutes + ")");
        }
    }

    /** The canonical request of SigV4 for a service other than S3: path normalized and encoded twice, body hashed. */
    static String canonicalRequest(IncomingRequest request, List<String> signedHeaders) {
        return canonicalRequest(request, signedHeaders, false);
    }

    /**
     * The canonical request of SigV4; with {@code s3}, S3's: the path encoded once and not normalized, the payload hash
     * taken from {@code x-amz-content-sha256}.
     */
    static String canonicalRequest(IncomingRequest request, List<String> signedHeaders, boolean s3) {
        StringBuilder headers = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = new ArrayList<>();
            for (String value : request.header(name)) {
                values.add(value.trim().replaceAll("\\s+", " "));
            }
            headers.append(name).append(':').append(String.join(",", values)).append('\n');
        }
        return request.method().toUpperCase(Locale.ROOT) + "\n"
                + (s3 ? s3CanonicalUri(request.rawPath()) : canonicalUri(request.rawPath())) + "\n"
                + canonicalQuery(request.rawQuery()) + "\n"
                + headers + "\n"
                + String.join(";", signedHeaders) + "\n"
                + (s3 ? request.first(CONTENT_SHA256) : hex(sha256(request.body())));
    }

    /** S3's canonical URI: each segment decoded and encoded once, {@code .} and {@code ..} kept as they are. */
    static String s3CanonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        String[] parts = rawPath.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            out.append('/').append(encode(decode(parts[i])));
        }
        return out.toString();
    }

    /** The path without {@code .} and {@code ..} segments, each segment percent-encoded once more (a {@code %} becomes {@code %25}). */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        List<String> segments = new ArrayList<>();
        String[] parts = rawPath.split("/", -1);
        for (int i = 1; i < parts.length; i++) {
            String segment = parts[i];
            if (".".equals(segment)) {
                continue;
            }
            if ("..".equals(segment)) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                continue;
            }
            segments.add(encode(segment));
        }
        String path = "/" + String.join("/", segments);
        // A trailing "." or ".." leaves a directory: the path keeps its trailing slash.
        boolean directory = rawPath.endsWith("/.") || rawPath.endsWith("/..");
        return directory && !path.endsWith("/") ? path + "/" : path;
    }

    /** Every parameter decoded, then encoded as RFC 3986 says, sorted by name and then value; a bare name gets an empty value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> parameters = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            parameters.add(new String[] {encode(decode(name)), encode(decode(value))});
        }
        parameters.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] p : parameters) {
            out.append(out.length() == 0 ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** Percent-encodes every byte of the UTF-8 form except the unreserved characters of RFC 3986, with upper-case hex. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~';
            if (unreserved) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Percent-decoding only ({@code +} stays {@code +}); a malformed escape is kept as it is. */
    static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int hi;
            int lo;
            if (c == '%' && i + 2 < value.length() && (hi = Character.digit(value.charAt(i + 1), 16)) >= 0
                    && (lo = Character.digit(value.charAt(i + 2), 16)) >= 0) {
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String signature(String secret, String date, String region, String service, String stringToSign) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, TERMINATOR);
        return hex(hmac(key, stringToSign));
    }

    private Instant parseAmzDate(String amzDate) {
        try {
            return Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw incomplete("Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601");
        }
    }

    private RuntimeException invalidSignature(String message) {
        return refusals.apply(Refusal.INVALID_SIGNATURE, message);
    }

    private RuntimeException incomplete(String message) {
        return refusals.apply(Refusal.INCOMPLETE_SIGNATURE, message);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of {@code data} in lower-case hex, as SigV4 writes payload hashes. */
    public static String sha256Hex(byte[] data) {
        return hex(sha256(data));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
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

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The parts of an {@code Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...} header. */
    private record Authorization(String[] scope, List<String> signedHeaders, String signature, String amzDate) {

        static Authorization parse(String header, String amzDate, Function<String, RuntimeException> incomplete) {
            String trimmed = header.trim();
            int space = trimmed.indexOf(' ');
            String algorithm = space < 0 ? trimmed : trimmed.substring(0, space);
            Map<String, String> parts = new LinkedHashMap<>();
            if (ALGORITHM.equals(algorithm)) {
                for (String part : trimmed.substring(space + 1).split(",")) {
                    String p = part.trim();
                    int eq = p.indexOf('=');
                    if (eq < 0) {
                        throw incomplete.apply("'" + p + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.");
                    }
                    parts.put(p.substring(0, eq), p.substring(eq + 1));
                }
            }
            StringBuilder missing = new StringBuilder();
            for (String name : List.of("Credential", "Signature", "SignedHeaders")) {
                if (parts.get(name) == null || parts.get(name).isEmpty()) {
                    missing.append("Authorization header requires '").append(name).append("' parameter. ");
                }
            }
            if (amzDate == null || amzDate.isBlank()) {
                missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
            }
            if (missing.length() > 0) {
                throw incomplete.apply(missing + "Authorization=" + header);
            }
            String[] scope = parts.get("Credential").split("/", -1);
            if (scope.length != 5) {
                throw incomplete.apply("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"
                        + parts.get("Credential") + "'");
            }
            return new Authorization(scope, List.of(parts.get("SignedHeaders").split(";")), parts.get("Signature"), amzDate.trim());
        }
    }
}
