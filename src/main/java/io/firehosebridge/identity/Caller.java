package io.firehosebridge.identity;

/**
 * Who made a call, as the audit log and the identity answer name them: never the token.
 *
 * @param subject the token's subject ({@code sub}), "api-token" for the shared token, "anonymous" when the API is open
 * @param name a readable name (preferred_username, upn, email), or the subject when the token has none
 * @param access what the caller may do; null when its roles grant nothing
 */
public record Caller(String subject, String name, Access access) {

    /** The caller of an open API (bridge.identity.mode none, or no identity setting where that is allowed). */
    public static final Caller ANONYMOUS = new Caller("anonymous", "anonymous", Access.OPERATOR);

    /** Whoever sends the shared token (bridge.identity.mode token). */
    public static final Caller TOKEN_HOLDER = new Caller("api-token", "holder of bridge.reconcile.api-token", Access.OPERATOR);
}
