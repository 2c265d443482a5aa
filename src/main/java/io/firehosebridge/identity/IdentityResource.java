package io.firehosebridge.identity;

import io.firehosebridge.reconcile.api.ApiError;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;

/** Who the caller is to the reconciliation API and what it may do: the coverage page shows it and offers operator actions only to operators. */
@Path("/reconciliations/identity")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Reconciliation")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "Token required or not valid",
        content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "403", description = "The token's roles grant neither viewer nor operator",
        content = @Content(mediaType = ApiError.MEDIA_TYPE, schema = @Schema(implementation = ApiError.class)))
public class IdentityResource {

    @Inject
    ApiAccess access;

    @Inject
    CurrentIdentityAssociation identities;

    /**
     * The caller as the API sees it.
     *
     * @param mode oidc, token or open
     * @param subject the token's subject ("api-token" for the shared token, "anonymous" when open)
     * @param name a readable name
     * @param access viewer or operator
     */
    @RegisterForReflection
    public record CallerView(String mode, String subject, String name, String access) {

        static CallerView of(IdentitySettings.Effective mode, Caller caller) {
            return new CallerView(mode.name().toLowerCase(java.util.Locale.ROOT), caller.subject(), caller.name(),
                    caller.access() == null ? null : caller.access().label());
        }
    }

    @GET
    @Operation(summary = "Who the caller is and what it may do", description = "The subject and name of the caller's token and its "
            + "access: viewer (reads reports, jobs, the ledger and the coverage data) or operator (also starts jobs, re-drives, repairs "
            + "and cancels).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = CallerView.class)))
    public Uni<CallerView> caller() {
        IdentitySettings.Effective mode = access.mode();
        return switch (mode) {
            case OPEN -> Uni.createFrom().item(CallerView.of(mode, Caller.ANONYMOUS));
            case TOKEN -> Uni.createFrom().item(CallerView.of(mode, Caller.TOKEN_HOLDER));
            case OIDC -> identities.getDeferredIdentity().map(identity -> CallerView.of(mode, access.callerOf(identity)));
        };
    }
}
