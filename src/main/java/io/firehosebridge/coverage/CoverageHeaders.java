package io.firehosebridge.coverage;

import io.firehosebridge.identity.ApiAccess;
import io.firehosebridge.identity.IdentityConfig;
import io.firehosebridge.identity.IdentitySettings.Effective;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import io.vertx.ext.web.Router;

/**
 * Sends the coverage page's Content-Security-Policy with every answer under {@code /coverage/}: a header rather than the
 * page's own meta tag, because in mode oidc the page calls the provider (its discovery document and token endpoint), whose
 * origins only the settings know. Nothing else outside this service is allowed.
 */
@ApplicationScoped
public class CoverageHeaders {

    // Looked up on first use: routes are set up before the identity mode is decided.
    @Inject
    Instance<ApiAccess> access;

    @Inject
    Instance<IdentityConfig> identity;

    @Inject
    Config settings;

    private volatile String policy;

    void route(@Observes Router router) {
        router.route().order(-100).handler(rc -> {
            String path = rc.normalizedPath();
            if (path.equals("/coverage") || path.startsWith("/coverage/")) {
                rc.response().putHeader("Content-Security-Policy", policy());
                rc.response().putHeader("Referrer-Policy", "no-referrer");
                rc.response().putHeader("X-Content-Type-Options", "nosniff");
            }
            rc.next();
        });
    }

    private String policy() {
        String p = policy;
        if (p == null) {
            List<String> origins = List.of();
            if (access.get().mode() == Effective.OIDC) {
                Optional<String> issuer = settings.getOptionalValue("quarkus.oidc.auth-server-url", String.class);
                origins = PageSignIn.connectOrigins(issuer.orElse(null), identity.get().page().connectOrigins().orElse(List.of()));
            }
            p = PageSignIn.policy(origins);
            policy = p;
        }
        return p;
    }
}
