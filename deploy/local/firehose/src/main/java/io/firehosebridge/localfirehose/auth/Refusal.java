package io.firehosebridge.localfirehose.auth;

/**
 * Why {@link SigV4Verifier} refused a request, with the error code AWS's JSON protocols give it. How a refusal is
 * answered is each front's own: Firehose puts the code in {@code __type} with a status of 400 or 403, a search domain
 * answers 403 with the message alone, S3 has codes of its own for some causes the JSON protocols share a code for (an
 * unknown key and a wrong session token, a skewed clock and a wrong signature), hence one constant per cause.
 */
public enum Refusal {

    /** No {@code Authorization} header. */
    MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException"),
    /** An {@code Authorization} header that is not SigV4 or lacks a part, or no {@code X-Amz-Date}. */
    INCOMPLETE_SIGNATURE("IncompleteSignatureException"),
    /** A scope for another day, region, service or terminator, or {@code host} not signed. */
    INVALID_SIGNATURE("InvalidSignatureException"),
    /** An {@code X-Amz-Date} more than the allowed skew from this endpoint's clock. */
    SIGNATURE_EXPIRED("InvalidSignatureException"),
    /** A signature that differs from the one computed with the key's secret. */
    SIGNATURE_MISMATCH("InvalidSignatureException"),
    /** An unknown access key. */
    UNRECOGNIZED_CLIENT("UnrecognizedClientException"),
    /** Temporary credentials used without their session token. */
    MISSING_SESSION_TOKEN("UnrecognizedClientException"),
    /** A session token that is not the key's, or one sent with a long-term key. */
    INVALID_SESSION_TOKEN("UnrecognizedClientException"),
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
