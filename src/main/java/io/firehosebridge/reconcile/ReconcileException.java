package io.firehosebridge.reconcile;

/**
 * A reconciliation, re-drive or repair that is refused or cannot go on: invalid input, an unknown topic, partition or job,
 * a range that cannot be reconciled, a conflict with a job's state, or a backend (Kafka, the search cluster, the S3 store,
 * the delivery pipeline) that cannot be reached. The jobs, the scan, the ledger and the repair throw it; the HTTP edge
 * answers it as a problem, and a job that ends on it records it as its failure. Carries no stack trace: it is an answer,
 * not a fault.
 */
public class ReconcileException extends RuntimeException {

    /** What kind of refusal it is; the HTTP edge chooses the status from it. */
    public enum Kind {
        /** The input cannot be used as given: the detail says what to change. */
        INVALID_REQUEST,
        /** No such topic, partition or job. */
        NOT_FOUND,
        /** The job is not in a state that allows the request. */
        CONFLICT,
        /** The range exists but cannot be reconciled (beyond the log, too large, ...). */
        UNPROCESSABLE,
        /** A backend cannot be reached or did not answer; the title names it. */
        UNAVAILABLE,
        /** Something the caller cannot change went wrong. */
        INTERNAL
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

    /** A caller's value, shortened so a message never echoes a huge or hostile input back. */
    public static String clip(String value) {
        if (value == null) {
            return "null";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
