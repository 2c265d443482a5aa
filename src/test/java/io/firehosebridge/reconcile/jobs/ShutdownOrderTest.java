package io.firehosebridge.reconcile.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;

import jakarta.annotation.Priority;

import org.junit.jupiter.api.Test;

import io.firehosebridge.delivery.DeliveryPipeline;
import io.quarkus.runtime.ShutdownEvent;

/**
 * At shutdown the job runner stops re-drive sends before the delivery pipeline waits for its in-flight
 * budget to empty (CDI calls observers of lower priority first); otherwise a running re-drive keeps the
 * budget busy until the pipeline's grace period ends.
 */
class ShutdownOrderTest {

    private static int priority(Class<?> type, String method) throws NoSuchMethodException {
        Method m = type.getDeclaredMethod(method, ShutdownEvent.class);
        Priority p = m.getParameters()[0].getAnnotation(Priority.class);
        assertThat(p).as("%s.%s has a @Priority on its event parameter", type.getSimpleName(), method).isNotNull();
        return p.value();
    }

    @Test
    void jobsStopSendingBeforeThePipelineDrains() throws Exception {
        assertThat(priority(ReconciliationJobs.class, "stopJobs")).isLessThan(priority(DeliveryPipeline.class, "stop"));
    }
}
