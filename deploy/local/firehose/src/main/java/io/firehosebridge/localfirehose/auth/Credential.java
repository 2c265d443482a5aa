package io.firehosebridge.localfirehose.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A key the endpoint accepts: long-term ({@code sessionToken} and {@code expiration} null) or temporary, as STS issues them
 * (a session token the caller must send as {@code X-Amz-Security-Token}, and the instant from which the key is refused).
 * {@link #toString()} never shows the secret or the token.
 */
public record Credential(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {

    public Credential {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("An access key id and its secret access key must not be blank");
        }
        if (sessionToken != null && sessionToken.isBlank()) {
            throw new IllegalArgumentException("A session token, when given, must not be blank");
        }
    }

    /** A long-term key: no session token, no expiry. */
    public static Credential longTerm(String accessKeyId, String secretAccessKey) {
        return new Credential(accessKeyId, secretAccessKey, null, null);
    }

    /** Whether calls signed with this key must carry its session token. */
    public boolean temporary() {
        return sessionToken != null;
    }

    @Override
    public String toString() {
        return "Credential[accessKeyId=" + accessKeyId + ", secretAccessKey=***" + (sessionToken == null ? "" : ", sessionToken=***")
                + (expiration == null ? "" : ", expiration=" + expiration) + "]";
    }
}
