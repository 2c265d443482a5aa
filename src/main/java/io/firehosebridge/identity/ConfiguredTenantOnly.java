package io.firehosebridge.identity;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Lets the service start in modes token and none, where no identity provider is configured. quarkus-oidc stops a start whose
 * default tenant has no {@code quarkus.oidc.auth-server-url} ("property must be configured"), unless a
 * {@link TenantConfigResolver} is registered: then it disables that unconfigured tenant instead. This resolver adds no
 * tenant (null: the default tenant from the configuration applies), so mode oidc verifies tokens exactly as configured, and
 * {@link IdentitySettings} still stops a mode oidc start without the issuer, naming the setting.
 */
@ApplicationScoped
public class ConfiguredTenantOnly implements TenantConfigResolver {

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext routingContext, OidcRequestContext<OidcTenantConfig> requestContext) {
        return Uni.createFrom().nullItem();
    }
}
