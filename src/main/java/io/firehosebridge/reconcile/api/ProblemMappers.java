package io.firehosebridge.reconcile.api;

import io.firehosebridge.reconcile.ReconcileException;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every error of the reconciliation API into RFC 7807 problem+json: refused requests with their
 * detail, framework errors (unknown path, wrong method, wrong media type) with a plain explanation, and
 * anything unexpected as a 500 that names no exception and shows no stack trace (the log has it).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response refused(ReconcileException e, UriInfo uri) {
        return problem(ApiError.of(e.kind().status(), e.title(), e.getMessage(), path(uri)));
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String path = path(uri);
        if (!path.startsWith("/reconciliations")) {
            return e.getResponse();
        }
        ApiError error = switch (status) {
            case 404 -> ApiError.of(404, "Not found", "No such reconciliation resource; see /q/openapi for the paths", path);
            case 405 -> ApiError.of(405, "Method not allowed", "This method is not supported on " + path + allowed(e), path);
            case 406 -> ApiError.of(406, "Not acceptable", "This API answers application/json (errors: application/problem+json)", path);
            case 415 -> ApiError.of(415, "Unsupported media type", "Send the body as application/json", path);
            default -> status >= 500
                    ? ApiError.of(500, "Internal error", "The request could not be handled; see the service log", path)
                    : ApiError.of(status, "Invalid request", "The request could not be read; check the path, parameters and JSON body", path);
        };
        Response.ResponseBuilder builder = Response.status(status).type(ApiError.MEDIA_TYPE).entity(error);
        if (e instanceof NotAllowedException && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null) {
            builder.header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        String path = path(uri);
        LOG.errorf(e, "Unexpected error on %s", path);
        return problem(ApiError.of(500, "Internal error", "The request could not be completed; see the service log", path));
    }

    private static String allowed(WebApplicationException e) {
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        return allow == null ? "" : "; allowed: " + allow;
    }

    static Response problem(ApiError error) {
        return Response.status(error.status()).type(ApiError.MEDIA_TYPE).entity(error).build();
    }

    private static String path(UriInfo uri) {
        String p = uri == null ? "" : uri.getPath();
        return p.startsWith("/") ? p : "/" + p;
    }
}
