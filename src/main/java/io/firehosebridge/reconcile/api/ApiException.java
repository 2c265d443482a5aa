package io.firehosebridge.reconcile.api;

/**
 * A request the reconciliation API refuses, with the status and the problem to answer. Carries no
 * stack trace: it is an answer, not a fault.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;

    public ApiException(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "Invalid request", detail);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "Not found", detail);
    }

    public static ApiException unprocessable(String detail) {
        return new ApiException(422, "Range cannot be reconciled", detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail);
    }

    /** A backend (Kafka, the search cluster, the S3 store) cannot be reached; the detail names which. */
    public static ApiException unavailable(String backend, String detail) {
        return new ApiException(503, backend + " unavailable", detail);
    }
}
