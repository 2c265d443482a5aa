package io.firehosebridge.localfirehose.auth;

/**
 * Why {@link SigV4Verifier} refused a request, named by the error code AWS's JSON protocols give it. How a refusal is
 * answered is each front's own: Firehose puts the code in {@code __type} with a status of 400 or 403, a search domain
 * answers 403 with the message alone.
 */
public enum Refusal {

    /** No {@code Authorization} header. */
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException"),
    /** An {@code Authorization} header that is not SigV4 or lacks a part, or no {@code X-Amz-Date}. */
    INCOMPLETE_SIGNATURE("IncompleteSignatureException"),
    /** A scope for another day, region or service, {@code host} not signed, a skewed clock, or a signature that differs. */
    INVALID_SIGNATURE("InvalidSignatureException"),
    /** An unknown access key, or a session token that is missing, wrong or not expected. */
    UNRECOGNIZED_CLIENT("UnrecognizedClientException"),
    /** Temporary credentials past their expiration. */
    EXPIRED_TOKEN("ExpiredTokenException");

    private final String code;

    Refusal(String code) {
        this.code = code;
    }

    /** The error code of AWS's JSON protocols, e.g. {@code InvalidSignatureException}. */
    public String code() {
        return code;
    }
}
