package io.firehosebridge.reconcile;

import java.util.Locale;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A reconciliation, re-drive or repair that is refused or cannot go on: invalid input, an unknown topic, partition or job,
 * a range that cannot be reconciled, a conflict with a job's state, or a backend (Kafka, the search cluster, the S3 store,
 * the delivery pipeline) that cannot be reached. The jobs, the scan, the ledger and the repair throw it; the HTTP edge
 * answers it as a problem with its kind's status, and a job that ends on it records it as its failure. Carries no stack
 * trace: it is an answer, not a fault.
 */
public class ReconcileException extends RuntimeException {

    /**
     * What kind of refusal it is, and the HTTP status the API answers it with. The one table of kinds and statuses: the job
     * topic's former record shape held the status, and {@link #ofStatus} reads it back. Registered for reflection: a job's
     * failure in the job topic holds it.
     */
    @RegisterForReflection
    public enum Kind {
        /** The input cannot be used as given: the detail says what to change. */
        INVALID_REQUEST(400),
        /** No such topic, partition or job. */
        NOT_FOUND(404),
        /** The job is not in a state that allows the request. */
        CONFLICT(409),
        /** The range exists but cannot be reconciled (beyond the log, too large, ...). */
        UNPROCESSABLE(422),
        /** A backend cannot be reached or did not answer; the title names it. */
        UNAVAILABLE(503),
        /** Something the caller cannot change went wrong. */
        INTERNAL(500);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** The HTTP status the API answers a refusal of this kind with. */
        public int status() {
            return status;
        }

        /** The kind a status stands for: the inverse of {@link #status()}; any other status is {@link #INTERNAL}. */
        public static Kind ofStatus(int status) {
            for (Kind kind : values()) {
                if (kind.status == status) {
                    return kind;
                }
            }
            return INTERNAL;
        }
    }

    private final Kind kind;
    private final String title;

    /**
     * @param kind what kind of refusal it is
     * @param title short summary of the kind of problem (e.g. "Kafka unavailable")
     * @param detail what went wrong and what to change
     */
    public ReconcileException(Kind kind, String title, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
        this.title = title;
    }

    public Kind kind() {
        return kind;
    }

    public String title() {
        return title;
    }

    public static ReconcileException invalidRequest(String detail) {
        return new ReconcileException(Kind.INVALID_REQUEST, "Invalid request", detail);
    }

    public static ReconcileException notFound(String detail) {
        return new ReconcileException(Kind.NOT_FOUND, "Not found", detail);
    }

    public static ReconcileException unprocessable(String detail) {
        return new ReconcileException(Kind.UNPROCESSABLE, "Range cannot be reconciled", detail);
    }

    public static ReconcileException conflict(String detail) {
        return new ReconcileException(Kind.CONFLICT, "Conflict", detail);
    }

    /** A backend (Kafka, the search cluster, the S3 store) cannot be reached; the detail names which. */
    public static ReconcileException unavailable(String backend, String detail) {
        return new ReconcileException(Kind.UNAVAILABLE, backend + " unavailable", detail);
    }

    /**
     * The URI naming a kind of problem, derived from its title ("Kafka unavailable" gives
     * {@code urn:kafka-firehose-bridge:problem:kafka-unavailable}): the {@code type} of the API's problems, and of the failures
     * the job topic keeps in the former shape too.
     */
    public static String problemType(String title) {
        String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return "urn:kafka-firehose-bridge:problem:" + slug;
    }

    /** A caller's value, shortened so a message never echoes a huge or hostile input back. */
    public static String clip(String value) {
        if (value == null) {
            return "null";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
