package io.firehosebridge.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A long end-to-end test that starts several processes (the packaged service killed and restarted, replicas, dev mode, a
 * browser): run by {@code ./mvnw verify -Pe2e}, which {@code .ci/run} runs right after {@code ./mvnw verify}, not by the
 * default verify. docs/testing.md lists them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(EndToEnd.TAG)
public @interface EndToEnd {

    /** The JUnit tag the {@code e2e} profile selects and the default verify leaves out. */
    String TAG = "e2e";
}
