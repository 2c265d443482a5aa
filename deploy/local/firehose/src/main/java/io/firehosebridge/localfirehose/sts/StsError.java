package io.firehosebridge.localfirehose.sts;

/**
 * A refusal of the local STS as AWS STS words it: the code of its Query protocol ({@code <Error><Code>}), the HTTP status
 * and the message. An answer, not a bug, so without a stack trace.
 */
public final class StsError extends RuntimeException {

    private final String code;
    private final int status;

    StsError(String code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    /** The error code, e.g. {@code InvalidIdentityToken}. */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    static StsError validation(String message) {
        return new StsError("ValidationError", 400, message);
    }
}
