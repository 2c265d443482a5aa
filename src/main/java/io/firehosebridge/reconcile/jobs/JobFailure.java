package io.firehosebridge.reconcile.jobs;

import io.firehosebridge.reconcile.ReconcileException;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Why a job FAILED, as the job topic keeps it: the kind of refusal or fault, its title and its detail. The API answers
 * it in its own error shape.
 *
 * <p>For one release the record also carries the fields of the former shape (the API's problem: {@code type},
 * {@code title}, {@code status}, {@code detail}), so that a replica still on the former version, which reads a failure as
 * that problem and skips the unknown {@code kind}, answers a job another replica failed with its real status and type
 * (its {@code instance} stays unset). Once no replica of the former version runs, {@link #type()} and {@link #status()}
 * can stop being written; reading them stays, for the records a compacted topic keeps.
 *
 * @param kind what kind of refusal or fault ended the job
 * @param title short summary of it (e.g. "Kafka unavailable", "Job owner lost")
 * @param detail what went wrong and what to do
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = { "type", "instance" }, allowGetters = true)
@JsonPropertyOrder({ "type", "title", "status", "detail", "kind" })
public record JobFailure(ReconcileException.Kind kind, String title, String detail) {

    /** The failure of a job that ended on {@code e}. */
    static JobFailure of(ReconcileException e) {
        return new JobFailure(e.kind(), e.title(), e.getMessage());
    }

    /** The former shape's {@code type}, written for replicas of the former version (derived from the title as the API does). */
    @JsonProperty("type")
    public String type() {
        return title == null ? null : ReconcileException.problemType(title);
    }

    /** The former shape's {@code status}, written for replicas of the former version: the status the API answers the kind with. */
    @JsonProperty("status")
    public int status() {
        return kind.status();
    }

    /**
     * Reads a failure from the job topic: {@code kind}, {@code title} and {@code detail}. Records written before this type
     * held only the API's problem shape ({@code type}, {@code title}, {@code status}, {@code detail}, {@code instance}): a
     * compacted topic keeps them, so they are read too, their status giving the kind ({@link ReconcileException.Kind#ofStatus}),
     * and the type and instance (derived from the title and the job's id) are dropped.
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
