package io.firehosebridge.identity;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Who may look at the reconciliation API and the coverage page, and who may change things through them (start jobs,
 * re-drive, repair, cancel). The provider itself (issuer, audience, where roles come from) is set with {@code quarkus.oidc.*}.
 */
@ConfigMapping(prefix = "bridge.identity")
public interface IdentityConfig {

    /** How callers prove who they are: oidc, token or none (open, with a warning at every start); unset is refused unless required is false. */
    Optional<Mode> mode();

    /** Whether a start without an identity setting is refused (production); the local profile, and so dev and test, set false: open, and logged. */
    @WithDefault("true")
    boolean required();

    /** Which provider roles, groups or scopes make a caller a viewer or an operator. */
    Roles roles();

    /** How the coverage page signs a person in through the provider. */
    Page page();

    /** The identity modes. */
    enum Mode {
        /** Bearer access tokens from an OIDC provider, verified by quarkus-oidc; roles from the token. */
        OIDC,
        /** One shared bearer token, {@code bridge.reconcile.api-token}: whoever has it is an operator. */
        TOKEN,
        /** Nobody is asked: everyone is an operator. Logged as a warning at every start. */
        NONE
    }

    /** Provider role names (as quarkus.oidc.roles.role-claim-path finds them) that grant each access. */
    interface Roles {

        /** Roles, groups or scopes that may read reports, jobs, the ledger and the coverage data. */
        @WithDefault("viewer")
        List<String> viewer();

        /** Roles, groups or scopes that may also start jobs, re-drive, repair and cancel (an operator is a viewer too). */
        @WithDefault("operator")
        List<String> operator();
    }

    /** The coverage page's sign-in (authorization code with PKCE, a public client, tokens in the tab's memory only). */
    interface Page {

        /** Public client the page signs people in with; unset: the page cannot sign in and asks for a bearer token instead. */
        Optional<String> clientId();

        /** Scopes the page asks for. */
        @WithDefault("openid")
        String scope();

        /** Origins besides the provider's that the page may call, e.g. a Cognito domain's token endpoint. */
        Optional<List<String>> connectOrigins();
    }
}
