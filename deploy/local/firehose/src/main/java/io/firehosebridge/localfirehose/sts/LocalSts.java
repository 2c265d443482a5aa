package io.firehosebridge.localfirehose.sts;

import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.Credential;
import io.firehosebridge.localfirehose.auth.CredentialStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the local STS does with a call: {@code AssumeRoleWithWebIdentity} for the one role it knows, with the one token it
 * issued, gets temporary credentials, registered in the {@link CredentialStore} with their expiration so that every front
 * accepts them until then. What it refuses, it refuses as AWS STS does:
 * <ul>
 * <li>another action: 400 {@code InvalidAction} "Could not find operation X for version 2011-06-15";</li>
 * <li>{@code RoleArn}, {@code RoleSessionName} or {@code WebIdentityToken} missing or out of the model's bounds, or a
 * {@code DurationSeconds} outside 900..43200: 400 {@code ValidationError} "1 validation error detected: Value ... at
 * 'durationSeconds' failed to satisfy constraint: ...", the errors counted and joined by "; " as AWS joins them; a
 * duration over the role's maximum session (1 hour, IAM's default): 400 {@code ValidationError} "The requested
 * DurationSeconds exceeds the MaxSessionDuration set for this role.";</li>
 * <li>another role: 403 {@code AccessDenied} "Not authorized to perform sts:AssumeRoleWithWebIdentity";</li>
 * <li>another token: 400 {@code InvalidIdentityToken}, with the message of AWS's documentation of that error.</li>
 * </ul>
 * Issued credentials last the configured lifetime (shorter than AWS allows, so that tests see them renewed), whatever
 * {@code DurationSeconds} asks. Keys that expired more than an hour ago are forgotten at each issue.
 */
public final class LocalSts {

    static final String VERSION = "2011-06-15";
    static final String ACTION = "AssumeRoleWithWebIdentity";
    static final String INVALID_TOKEN = "The web identity token that was passed could not be validated by AWS. "
            + "Get a new identity token from the identity provider and then retry the request.";

    private static final Logger LOG = Logger.getLogger(LocalSts.class);
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
    private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final Duration MAX_SESSION = Duration.ofHours(1);
    private static final Duration KEEP_EXPIRED = Duration.ofHours(1);

    /** Temporary credentials as issued, and who they were issued to. */
    public record Issued(Credential credential, String assumedRoleArn, String assumedRoleId, String subject, String provider) {
    }

    private final String accountId;
    private final String roleArn;
    private final String token;
    private final CredentialStore credentials;
    private final AuthCounts counts;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final SecureRandom random = new SecureRandom();
    private volatile Duration lifetime;

    /** An STS for {@code roleArn} accepting {@code token} (null: none) and issuing credentials that last {@code lifetime}. */
    public LocalSts(String accountId, String roleArn, String token, Duration lifetime, CredentialStore credentials, AuthCounts counts,
            Clock clock, ObjectMapper mapper) {
        this.accountId = accountId;
        this.roleArn = Objects.requireNonNull(roleArn, "roleArn");
        this.token = token == null || token.isBlank() ? null : token.stripTrailing();
        this.credentials = credentials;
        this.counts = counts;
        this.clock = clock;
        this.mapper = mapper;
        setLifetime(lifetime);
    }

    /** The role that may be assumed. */
    public String roleArn() {
        return roleArn;
    }

    /** How long issued credentials last. */
    public Duration lifetime() {
        return lifetime;
    }

    /** Changes how long credentials issued from now on last (those issued keep theirs); more than 0, at most 12 hours. */
    public void setLifetime(Duration lifetime) {
        if (lifetime == null || lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofHours(12)) > 0) {
            throw new IllegalArgumentException("credentialLifetime must be more than 0 and at most 12 hours, not " + lifetime);
        }
        this.lifetime = lifetime;
    }

    /** Answers a call with these parameters (form or query); throws {@link StsError} for what AWS refuses. */
    public Issued call(Map<String, String> parameters) {
        String action = parameters.get("Action");
        String version = parameters.getOrDefault("Version", VERSION);
        if (action == null) {
            throw new StsError("MissingAction", 400, "Missing Action");
        }
        if (!ACTION.equals(action) || !VERSION.equals(version)) {
            throw new StsError("InvalidAction", 400, "Could not find operation " + action + " for version " + version);
        }
        String role = parameters.get("RoleArn");
        String session = parameters.get("RoleSessionName");
        String webToken = parameters.get("WebIdentityToken");
        String duration = parameters.get("DurationSeconds");
        List<String> violations = new ArrayList<>();
        length(violations, "roleArn", role, 20, 2048);
        length(violations, "roleSessionName", session, 2, 64);
        if (session != null && !SESSION_NAME.matcher(session).matches()) {
            violations.add("Value '" + session + "' at 'roleSessionName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
        length(violations, "webIdentityToken", webToken, 4, 20000);
        Integer seconds = null;
        if (duration != null) {
            try {
                seconds = Integer.valueOf(duration.trim());
                if (seconds < 900) {
                    violations.add(at(duration, "durationSeconds") + "Member must have value greater than or equal to 900");
                } else if (seconds > 43200) {
                    violations.add(at(duration, "durationSeconds") + "Member must have value less than or equal to 43200");
                }
            } catch (NumberFormatException e) {
                violations.add(at(duration, "durationSeconds") + "Member must be a number");
            }
        }
        if (!violations.isEmpty()) {
            throw StsError.validation(violations.size() + " validation error" + (violations.size() == 1 ? "" : "s") + " detected: "
                    + String.join("; ", violations));
        }
        if (!roleArn.equals(role)) {
            throw new StsError("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), webToken.stripTrailing().getBytes(StandardCharsets.UTF_8))) {
            throw new StsError("InvalidIdentityToken", 400, INVALID_TOKEN);
        }
        if (seconds != null && Duration.ofSeconds(seconds).compareTo(MAX_SESSION) > 0) {
            throw StsError.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }
        return issue(session, webToken);
    }

    private Issued issue(String session, String webToken) {
        Instant now = clock.instant();
        Instant expiration = now.plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
        Credential credential = new Credential("ASIA" + randomOf(UPPER_ALNUM, 16), randomOf(SECRET_CHARS, 40), sessionToken(), expiration);
        credentials.forgetExpiredBefore(now.minus(KEEP_EXPIRED));
        credentials.register(credential);
        counts.issued();
        String roleName = roleArn.substring(roleArn.lastIndexOf('/') + 1);
        JsonNode claims = claims(webToken);
        String issuer = claims.path("iss").asText("local").replaceFirst("^https?://", "");
        Issued issued = new Issued(credential, "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + session,
                roleId() + ":" + session, claims.path("sub").asText("system:serviceaccount:local:" + roleName),
                "arn:aws:iam::" + accountId + ":oidc-provider/" + issuer);
        LOG.infof("Local STS: issued %s for role %s (session %s), expires %s", credential.accessKeyId(), roleArn, session, expiration);
        return issued;
    }

    /** The payload of a JWT-shaped token, or an empty object: only for the subject and issuer shown in the answer. */
    private JsonNode claims(String webToken) {
        String[] parts = webToken.strip().split("\\.");
        if (parts.length == 3) {
            try {
                JsonNode payload = mapper.readTree(Base64.getUrlDecoder().decode(parts[1]));
                if (payload != null && payload.isObject()) {
                    return payload;
                }
            } catch (Exception e) {
                // not a JWT: the defaults apply
            }
        }
        return mapper.createObjectNode();
    }

    /** The role's unique id as IAM shows it ({@code AROA...}), the same for the same role. */
    private String roleId() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(roleArn.getBytes(StandardCharsets.UTF_8));
            StringBuilder id = new StringBuilder("AROA");
            for (int i = 0; i < 17; i++) {
                id.append(UPPER_ALNUM.charAt((hash[i] & 0xff) % UPPER_ALNUM.length()));
            }
            return id.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String sessionToken() {
        byte[] bytes = new byte[384];
        random.nextBytes(bytes);
        return "IQoJb3JpZ2luX2VjE" + Base64.getEncoder().encodeToString(bytes);
    }

    private String randomOf(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static void length(List<String> violations, String member, String value, int min, int max) {
        if (value == null) {
            violations.add("Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
        } else if (value.length() < min) {
            violations.add(at(value, member) + "Member must have length greater than or equal to " + min);
        } else if (value.length() > max) {
            violations.add(at(value, member) + "Member must have length less than or equal to " + max);
        }
    }

    private static String at(String value, String member) {
        return "Value '" + value + "' at '" + member + "' failed to satisfy constraint: ";
    }
}
