package io.firehosebridge.localfirehose.api;

/**
 * An error answered to a Firehose client as AWS does: {@code {"__type":type,"message":...}} with an HTTP status.
 * Thrown without a stack trace because it is an answer, not a bug.
 */
public class FirehoseException extends RuntimeException {

    private final String type;
    private final int status;

    public FirehoseException(String type, int status, String message) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }

    public static FirehoseException invalidArgument(String message) {
        return new FirehoseException("InvalidArgumentException", 400, message);
    }

    public static FirehoseException validation(String message) {
        return new FirehoseException("ValidationException", 400, message);
    }

    public static FirehoseException notFound(String message) {
        return new FirehoseException("ResourceNotFoundException", 400, message);
    }

    public static FirehoseException inUse(String message) {
        return new FirehoseException("ResourceInUseException", 400, message);
    }

    public static FirehoseException slowDown() {
        return new FirehoseException("ServiceUnavailableException", 503, "Slow down.");
    }
}
