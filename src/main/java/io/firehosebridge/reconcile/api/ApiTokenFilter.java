package io.firehosebridge.reconcile.api;

import io.firehosebridge.reconcile.ReconcileConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code bridge.reconcile.api-token} is set, every reconciliation call (re-drive included) needs
 * {@code Authorization: Bearer <token>}; without it the answer is 401 problem+json. The token is
 * compared in constant time and never logged.
 */
public class ApiTokenFilter {

    // Looked up per request: filters are built before runtime configuration exists.
    @Inject
    Instance<ReconcileConfig> config;

    @ServerRequestFilter(preMatching = true)
    public Response authorize(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/reconciliations") && !path.startsWith("reconciliations")) {
            return null;
        }
        String token = config.get().apiToken().filter(t -> !t.isBlank()).orElse(null);
        if (token == null) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        byte[] given = header == null ? new byte[0] : header.strip().getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(expected, given)) {
            return null;
        }
        String detail = header == null
                ? "This API is protected: send the header 'Authorization: Bearer <token>' (bridge.reconcile.api-token)"
                : "The bearer token is not valid for this API";
        return Response.status(401).type(ApiError.MEDIA_TYPE).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"reconciliation\"")
                .entity(ApiError.of(401, "Unauthorized", detail, path.startsWith("/") ? path : "/" + path)).build();
    }
}
