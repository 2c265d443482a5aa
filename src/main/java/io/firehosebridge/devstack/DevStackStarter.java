package io.firehosebridge.devstack;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * In {@code quarkus:dev}, brings the local stack up before anything else starts, the way Dev Services
 * would with Docker. The bean exists only in dev builds: a production build or native image drops it.
 * The stack keeps running across live reloads and after dev mode ends; {@code deploy/local/stack down}
 * stops it.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevStackStarter {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        LocalStack.up();
    }
}
