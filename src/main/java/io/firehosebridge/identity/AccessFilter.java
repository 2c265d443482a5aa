package io.firehosebridge.identity;

import io.firehosebridge.reconcile.api.ApiError;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Who may call {@code /reconciliations} (the coverage page's data included): in mode oidc a verified bearer token whose
 * roles grant viewer (reading calls) or operator (every other call), in mode token the shared token, which means
 * operator; open otherwise. Refusals are problem+json like every other error of the API: 401 without a token or with one
 * that is not valid (expired, another issuer, another audience, a signature the provider's keys do not verify), 403 when
 * the roles do not allow the call. Every call that changes something writes one audit line
 * ({@value #AUDIT_CATEGORY}), refused ones included.
 */
public class AccessFilter {

    /** The log category of the audit lines. */
    public static final String AUDIT_CATEGORY = "io.firehosebridge.audit";

    private static final Logger AUDIT = Logger.getLogger(AUDIT_CATEGORY);
    private static final Logger LOG = Logger.getLogger(AccessFilter.class);
    private static final String CALLER = AccessFilter.class.getName() + ".caller";
    private static final String AUDITED = AccessFilter.class.getName() + ".audited";

    // Looked up per request: filters are built before runtime configuration exists.
    @Inject
    Instance<ApiAccess> access;

    @Inject
    Instance<CurrentIdentityAssociation> identities;

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> authorize(ContainerRequestContext request) {
        String path = path(request);
        if (!isApi(path)) {
            return Uni.createFrom().nullItem();
        }
        ApiAccess api = access.get();
        Access needed = Access.neededFor(request.getMethod());
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        switch (api.mode()) {
            case OPEN -> {
                request.setProperty(CALLER, Caller.ANONYMOUS);
                return Uni.createFrom().nullItem();
            }
            case TOKEN -> {
                if (api.isSharedToken(authorization)) {
                    request.setProperty(CALLER, Caller.TOKEN_HOLDER);
                    return Uni.createFrom().nullItem();
                }
                return Uni.createFrom().item(refuse(request, null, unauthorized(path, authorization == null
                        ? "This API is protected: send the header 'Authorization: Bearer <token>' (bridge.reconcile.api-token)"
                        : "The bearer token is not valid for this API")));
            }
            default -> {
                if (authorization == null || !authorization.strip().regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return Uni.createFrom().item(refuse(request, null, unauthorized(path, "This API is protected: send the header "
                            + "'Authorization: Bearer <access token>' with an access token from the identity provider")));
                }
                return identities.get().getDeferredIdentity().onItemOrFailure().transform((identity, failure) -> {
                    if (failure != null || identity == null || identity.isAnonymous()) {
                        LOG.debugf("Bearer token refused on %s: %s", path, failure == null ? "anonymous" : failure.getMessage());
                        return refuse(request, null, unauthorized(path, "The bearer token is not valid for this API: expired, from "
                                + "another issuer, for another audience, or not signed by the provider's keys"));
                    }
                    return authorizeCaller(request, api, identity, needed, path);
                });
            }
        }
    }

    private static Response authorizeCaller(ContainerRequestContext request, ApiAccess api, SecurityIdentity identity, Access needed,
            String path) {
        Caller caller = api.callerOf(identity);
        if (caller.access() != null && caller.access().allows(needed)) {
            request.setProperty(CALLER, caller);
            return null;
        }
        String detail = (needed == Access.OPERATOR ? "Starting jobs, re-driving, repairing and cancelling need" : "Reading needs")
                + " the " + needed.label() + " role (one of " + String.join(", ", api.rolesFor(needed)) + "); " + caller.name() + " has "
                + (caller.access() == null ? "neither viewer nor operator" : caller.access().label());
        return refuse(request, caller, Response.status(403).type(ApiError.MEDIA_TYPE)
                .entity(ApiError.of(403, "Forbidden", detail, path)).build());
    }

    @ServerResponseFilter
    public void audit(ContainerRequestContext request, ContainerResponseContext response) {
        String path = path(request);
        if (!isApi(path) || Access.neededFor(request.getMethod()) == Access.VIEWER || request.getProperty(AUDITED) != null) {
            return;
        }
        request.setProperty(AUDITED, Boolean.TRUE);
        AUDIT.info(AuditLine.of((Caller) request.getProperty(CALLER), request.getMethod(), path, dryRun(request),
                response.getHeaderString(HttpHeaders.LOCATION), response.getStatus()));
    }

    /** A refusal, audited here when the call would have changed something (response filters may not see it). */
    private static Response refuse(ContainerRequestContext request, Caller caller, Response answer) {
        String path = path(request);
        if (Access.neededFor(request.getMethod()) == Access.OPERATOR && request.getProperty(AUDITED) == null) {
            request.setProperty(AUDITED, Boolean.TRUE);
            AUDIT.info(AuditLine.of(caller, request.getMethod(), path, dryRun(request), null, answer.getStatus()));
        }
        return answer;
    }

    private static Response unauthorized(String path, String detail) {
        return Response.status(401).type(ApiError.MEDIA_TYPE).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"reconciliation\"")
                .entity(ApiError.of(401, "Unauthorized", detail, path)).build();
    }

    private static String dryRun(ContainerRequestContext request) {
        return request.getUriInfo().getQueryParameters().getFirst("dryRun");
    }

    private static boolean isApi(String path) {
        return path.equals("/reconciliations") || path.startsWith("/reconciliations/");
    }

    private static String path(ContainerRequestContext request) {
        String p = request.getUriInfo().getPath();
        return p.startsWith("/") ? p : "/" + p;
    }
}
