package io.firehosebridge.coverage;

import io.firehosebridge.identity.ApiAccess;
import io.firehosebridge.identity.IdentityConfig;
import io.firehosebridge.identity.IdentitySettings.Effective;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the coverage page needs to sign a person in (public, nothing secret): the identity mode, the provider's issuer
 * (the page reads its discovery document) and the page's public client; and the page's Content-Security-Policy, which
 * names the provider's origins (see {@link CoverageHeaders}).
 */
@Path("/coverage/sign-in")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Coverage page")
public class PageSignIn {

    @Inject
    ApiAccess access;

    @Inject
    IdentityConfig identity;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> issuer;

    /**
     * How the page signs in.
     *
     * @param mode oidc (sign in through the provider), token (paste the shared token) or open
     * @param issuer the provider's issuer URL (oidc only)
     * @param clientId the page's public client (oidc only; null: the page asks for a bearer token instead)
     * @param scope the scopes the page asks for
     */
    @RegisterForReflection
    public record View(String mode, String issuer, String clientId, String scope) {
    }

    @GET
    @Operation(summary = "How the coverage page signs a person in", description = "The identity mode and, for oidc, the provider's "
            + "issuer and the page's public client (authorization code with PKCE). Public: holds nothing secret.")
    public View view() {
        Effective mode = access.mode();
        if (mode != Effective.OIDC) {
            return new View(mode.name().toLowerCase(Locale.ROOT), null, null, null);
        }
        return new View("oidc", issuer.map(PageSignIn::trimSlash).orElse(null), identity.page().clientId().orElse(null),
                identity.page().scope());
    }

    /** The page's policy: everything from this service, and the provider's origins for its discovery document and tokens. */
    static String policy(List<String> connectOrigins) {
        String connect = connectOrigins.isEmpty() ? "'self'" : "'self' " + String.join(" ", connectOrigins);
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src " + connect
                + "; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    }

    /** The origins (scheme, host, port) of the issuer and of the extra origins, each once. */
    static List<String> connectOrigins(String issuer, List<String> extra) {
        Set<String> out = new LinkedHashSet<>();
        List<String> all = new ArrayList<>();
        if (issuer != null && !issuer.isBlank()) {
            all.add(issuer);
        }
        all.addAll(extra);
        for (String url : all) {
            String origin = origin(url.strip());
            if (origin != null) {
                out.add(origin);
            }
        }
        return List.copyOf(out);
    }

    private static String origin(String url) {
        try {
            URI u = URI.create(url);
            if (u.getScheme() == null || u.getHost() == null || !u.getScheme().matches("https?")) {
                return null;
            }
            return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT) + (u.getPort() < 0 ? "" : ":" + u.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String trimSlash(String url) {
        String u = url.strip();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
}
