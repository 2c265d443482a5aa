package io.firehosebridge.delivery.firehose;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Registers the Firehose client's SDK execution interceptor for reflection in a native image. The client creates it with
 * {@code new}; the registration keeps it usable where the SDK handles interceptors reflectively (as it does for those listed in
 * {@code execution.interceptors} files). Kept apart from {@link PutRecordBatchBody} so that the registration is found in one place.
 */
@RegisterForReflection(targets = PutRecordBatchBody.Interceptor.class)
final class SdkInterceptorReflection {

    private SdkInterceptorReflection() {
    }
}
