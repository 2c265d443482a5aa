package io.firehosebridge.identity;

import io.firehosebridge.identity.IdentityConfig.Mode;

import java.util.Optional;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Which identity mode a start runs in, from the settings, or why it must not start: closed by default, so that a
 * production start without an identity setting stops with a message naming the setting instead of opening the API.
 * Pure logic: the settings are given.
 */
public final class IdentitySettings {

    static final String MODE = "bridge.identity.mode";
    static final String REQUIRED = "bridge.identity.required";
    static final String API_TOKEN = "bridge.reconcile.api-token";
    static final String AUTH_SERVER_URL = "quarkus.oidc.auth-server-url";
    static final String AUDIENCE = "quarkus.oidc.token.audience";
    /** Amazon Cognito's access tokens carry no aud; the app client's id in client_id is what names the service. */
    static final String CLIENT_ID_CLAIM = "quarkus.oidc.token.required-claims.client_id";

    /** How the API is protected in this start. */
    public enum Effective {
        /** Bearer tokens verified by quarkus-oidc; viewer and operator from the token's roles. */
        OIDC,
        /** The shared token; its holder is an operator. */
        TOKEN,
        /** Nobody is asked. */
        OPEN
    }

    /**
     * The outcome.
     *
     * @param mode how the API is protected
     * @param message the line the start logs about it
     * @param warning true when that line is a warning (an open API chosen with mode none)
     */
    public record Resolved(Effective mode, String message, boolean warning) {
    }

    private IdentitySettings() {
    }

    /**
     * @param mode bridge.identity.mode
     * @param required bridge.identity.required
     * @param apiToken bridge.reconcile.api-token (blank counts as unset)
     * @param authServerUrl quarkus.oidc.auth-server-url (blank counts as unset)
     * @param audienceSet whether tokens are checked for this service: quarkus.oidc.token.audience, or (Cognito's access tokens,
     *        which have no aud) quarkus.oidc.token.required-claims.client_id
     * @param profiles the active profiles, for the log line
     * @throws ConfigurationException naming the setting when the settings do not allow a start
     */
    public static Resolved resolve(Optional<Mode> mode, boolean required, Optional<String> apiToken, Optional<String> authServerUrl,
            boolean audienceSet, String profiles) {
        boolean token = apiToken.filter(t -> !t.isBlank()).isPresent();
        boolean oidc = authServerUrl.filter(u -> !u.isBlank()).isPresent();
        Mode chosen = mode.orElse(null);
        if (chosen == null && token && !oidc) {
            chosen = Mode.TOKEN;
        }
        if (chosen == null) {
            if (oidc) {
                throw invalid(MODE, AUTH_SERVER_URL + " is set but " + MODE + " is not: set " + MODE + "=oidc (BRIDGE_IDENTITY_MODE)");
            }
            if (required) {
                throw new ConfigurationException("Missing setting " + MODE + ": the reconciliation API and the coverage page would be "
                        + "open to anyone who reaches the port. Set " + MODE + " (BRIDGE_IDENTITY_MODE) to oidc (with " + AUTH_SERVER_URL
                        + " and " + AUDIENCE + "), token (with " + API_TOKEN + ") or none (open, with a warning at every start)");
            }
            return new Resolved(Effective.OPEN, "Identity: open, anyone who reaches the port may read, start jobs, re-drive, repair "
                    + "and cancel (no " + MODE + "; " + REQUIRED + "=false in profile " + profiles + ")", false);
        }
        return switch (chosen) {
            case NONE -> {
                if (token || oidc) {
                    throw invalid(MODE, "is none, but " + (token ? API_TOKEN : AUTH_SERVER_URL) + " is set: unset it, or choose "
                            + (token ? "token" : "oidc"));
                }
                yield new Resolved(Effective.OPEN, "Identity: " + MODE + "=none: the reconciliation API and the coverage page are "
                        + "open; anyone who reaches the port may read, start jobs, re-drive, repair and cancel", true);
            }
            case TOKEN -> {
                if (!token) {
                    throw invalid(MODE, "is token, but " + API_TOKEN + " (RECONCILE_API_TOKEN) is not set");
                }
                if (oidc) {
                    throw invalid(MODE, "is token, but " + AUTH_SERVER_URL + " is set (quarkus-oidc would reach the provider): "
                            + "unset it, or choose oidc");
                }
                yield new Resolved(Effective.TOKEN, "Identity: token: every call needs " + API_TOKEN + " as its bearer token; its "
                        + "holder is an operator", false);
            }
            case OIDC -> {
                if (!oidc) {
                    throw invalid(MODE, "is oidc, but " + AUTH_SERVER_URL + " (QUARKUS_OIDC_AUTH_SERVER_URL) is not set: the "
                            + "provider's issuer URL, e.g. https://keycloak.example.com/realms/bridge");
                }
                if (!audienceSet) {
                    throw invalid(MODE, "is oidc, but " + AUDIENCE + " (QUARKUS_OIDC_TOKEN_AUDIENCE) is not set: the audience "
                            + "(aud) the provider puts in access tokens meant for this service (for Amazon Cognito's access tokens, "
                            + "which have none, set " + CLIENT_ID_CLAIM + " to the app client's id instead)");
                }
                if (token) {
                    throw invalid(MODE, "is oidc, but " + API_TOKEN + " is set too: a shared token would bypass the roles; unset it");
                }
                yield new Resolved(Effective.OIDC, "Identity: oidc: bearer tokens from " + authServerUrl.get().strip()
                        + " (issuer, audience, signature and expiry checked); viewer and operator from the token's roles", false);
            }
        };
    }

    private static ConfigurationException invalid(String setting, String message) {
        return new ConfigurationException("Invalid setting " + setting + ": " + message);
    }
}
