package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Why a job FAILED, as the job topic keeps it: the kind of refusal or fault, its title and its detail. The API answers
 * it in its own error shape; the job topic holds no HTTP status.
 *
 * @param kind what kind of refusal or fault ended the job
 * @param title short summary of it (e.g. "Kafka unavailable", "Job owner lost")
 * @param detail what went wrong and what to do
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties({ "type", "instance" })
public record JobFailure(ReconcileException.Kind kind, String title, String detail) {

    /** The failure of a job that ended on {@code e}. */
    static JobFailure of(ReconcileException e) {
        return new JobFailure(e.kind(), e.title(), e.getMessage());
    }

    /**
     * Reads a failure from the job topic. Records written before this type held the API's problem shape ({@code type},
     * {@code title}, {@code status}, {@code detail}, {@code instance}): a compacted topic keeps them, so they are read too,
     * their status giving the kind ({@link ReconcileException.Kind#ofStatus}), and the type and instance (derived from the
     * title and the job's id) are dropped.
     */
    @JsonCreator
    static JobFailure read(@JsonProperty("kind") ReconcileException.Kind kind, @JsonProperty("title") String title,
            @JsonProperty("detail") String detail, @JsonProperty("status") Integer status) {
        if (kind == null) {
            kind = status == null ? ReconcileException.Kind.INTERNAL : ReconcileException.Kind.ofStatus(status);
        }
        return new JobFailure(kind, title, detail);
    }
}
