package io.firehosebridge.reconcile.api;

import io.firehosebridge.reconcile.ReconcileException;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The one error shape of the reconciliation API: an RFC 7807 problem ({@code application/problem+json}).
 * The detail says what to change or which backend is down; never a stack trace or an exception class.
 *
 * @param type a URI naming the kind of problem
 * @param title short summary of the kind of problem
 * @param status the HTTP status
 * @param detail what went wrong in this request and what to change
 * @param instance the request path
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem whose type is derived from its title ({@link ReconcileException#problemType}). */
    public static ApiError of(int status, String title, String detail, String instance) {
        return new ApiError(ReconcileException.problemType(title), title, status, detail, instance);
    }
}
