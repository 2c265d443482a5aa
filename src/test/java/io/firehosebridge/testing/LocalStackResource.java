package io.firehosebridge.testing;

import java.util.Map;

import io.firehosebridge.devstack.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives tests the real local stack (Kafka, OpenSearch, S3Proxy) through the same launcher people use.
 * The stack is started once per JVM and left running for the next test class; set
 * {@code FHB_STACK_STOP_AFTER_TESTS=true} to stop it when the JVM exits.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    private static boolean started;

    @Override
    public synchronized Map<String, String> start() {
        ensureStarted();
        return Map.of();
    }

    /** Usable from plain JUnit tests that need the stack without a Quarkus application. */
    public static synchronized void ensureStarted() {
        if (started) {
            return;
        }
        LocalStack.up();
        started = true;
        if (Boolean.parseBoolean(System.getenv("FHB_STACK_STOP_AFTER_TESTS"))) {
            Runtime.getRuntime().addShutdownHook(new Thread(LocalStack::down, "local-stack-down"));
        }
    }

    @Override
    public void stop() {
        // Left running on purpose: the next test class (or the failsafe JVM) reuses it.
    }
}
