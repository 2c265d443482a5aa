package io.firehosebridge.reconcile.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Documents a job's {@code error} as the API answers it, in its one error shape ({@link ApiError}): the job view holds
 * the job's failure as the job topic keeps it, and {@link ReconciliationResource} answers that as a problem.
 */
@OpenApiFilter
public class JobErrorSchema implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null || components.getSchemas() == null) {
            return;
        }
        Schema view = components.getSchemas().get("JobView");
        if (view == null || view.getProperties() == null || !view.getProperties().containsKey("error")
                || !components.getSchemas().containsKey(ApiError.class.getSimpleName())) {
            return;
        }
        view.addProperty("error", OASFactory.createSchema().ref(ApiError.class.getSimpleName()));
        components.removeSchema("JobFailure");
    }
}
