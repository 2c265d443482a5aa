package io.firehosebridge.identity;

import io.firehosebridge.identity.IdentitySettings.Effective;
import io.firehosebridge.identity.IdentitySettings.Resolved;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * How this start protects the reconciliation API (decided once, at startup, where a start without an identity setting
 * stops in production), and who a caller is under that mode: the holder of the shared token, or the subject and roles of
 * a verified OIDC access token.
 */
@ApplicationScoped
public class ApiAccess {

    private static final Logger LOG = Logger.getLogger(ApiAccess.class);

    @Inject
    IdentityConfig config;

    @Inject
    Config allSettings;

    @ConfigProperty(name = IdentitySettings.API_TOKEN)
    Optional<String> apiToken;

    private volatile Resolved resolved;

    void onStart(@Observes StartupEvent event) {
        resolved();
    }

    /** The mode of this start; resolved (and logged) on first use. */
    public Effective mode() {
        return resolved().mode();
    }

    private Resolved resolved() {
        Resolved r = resolved;
        if (r == null) {
            synchronized (this) {
                if (resolved == null) {
                    resolved = IdentitySettings.resolve(config.mode(), config.required(), apiToken,
                            allSettings.getOptionalValue(IdentitySettings.AUTH_SERVER_URL, String.class),
                            allSettings.getOptionalValues(IdentitySettings.AUDIENCE, String.class).filter(a -> !a.isEmpty()).isPresent()
                                    || allSettings.getOptionalValue(IdentitySettings.CLIENT_ID_CLAIM, String.class).filter(c -> !c.isBlank()).isPresent(),
                            String.join(",", ConfigUtils.getProfiles()));
                    if (resolved.warning()) {
                        LOG.warn(resolved.message());
                    } else {
                        LOG.info(resolved.message());
                    }
                }
                r = resolved;
            }
        }
        return r;
    }

    /** Whether an Authorization header carries the shared token (compared in constant time; the token is never logged). */
    public boolean isSharedToken(String authorization) {
        String token = apiToken.filter(t -> !t.isBlank()).orElse(null);
        if (token == null || authorization == null) {
            return false;
        }
        return MessageDigest.isEqual(("Bearer " + token).getBytes(StandardCharsets.UTF_8),
                authorization.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The caller a verified OIDC identity stands for: its subject, a readable name, and the access its roles grant. */
    public Caller callerOf(SecurityIdentity identity) {
        Principal principal = identity.getPrincipal();
        String name = principal == null ? null : principal.getName();
        String subject = principal instanceof JsonWebToken jwt && jwt.getSubject() != null ? jwt.getSubject() : name;
        Access access = Access.granted(identity.getRoles(), config.roles().viewer(), config.roles().operator());
        return new Caller(subject == null ? "unknown" : subject, name == null ? subject : name, access);
    }

    /** The provider roles that grant each access, for the refusal's detail. */
    public List<String> rolesFor(Access access) {
        return access == Access.OPERATOR ? config.roles().operator() : config.roles().viewer();
    }
}
