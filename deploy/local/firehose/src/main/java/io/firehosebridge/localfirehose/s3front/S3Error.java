package io.firehosebridge.localfirehose.s3front;

import io.firehosebridge.localfirehose.api.Xml;
import io.firehosebridge.localfirehose.auth.Refusal;

/**
 * An answer S3 gives a request it refuses: the status, the code and the message of its XML error. S3's codes and wording,
 * as S3 answers them (seen from its clients):
 * <ul>
 * <li>no signature: 403 {@code AccessDenied} "Access Denied";</li>
 * <li>an unknown access key, or temporary credentials without their session token: 403 {@code InvalidAccessKeyId} "The AWS
 * Access Key Id you provided does not exist in our records.";</li>
 * <li>a signature that differs: 403 {@code SignatureDoesNotMatch};</li>
 * <li>a signing time more than 15 minutes off (S3 allows more than the 5 minutes of the other services): 403
 * {@code RequestTimeTooSkewed};</li>
 * <li>expired temporary credentials: 400 {@code ExpiredToken} "The provided token has expired.";</li>
 * <li>a session token that is not the key's: 400 {@code InvalidToken} "The provided token is malformed or otherwise
 * invalid.";</li>
 * <li>no {@code x-amz-content-sha256}: 400 {@code InvalidRequest} "Missing required header for this request:
 * x-amz-content-sha256"; a hash that is not the body's: 400 {@code XAmzContentSHA256Mismatch}.</li>
 * </ul>
 * Assumed, not confirmed: that a malformed header or a scope for another region or service gets 400
 * {@code AuthorizationHeaderMalformed} with the verifier's reason after "The authorization header is malformed; ".
 */
record S3Error(int status, String code, String message) {

    static S3Error of(Refusal refusal, String message) {
        return switch (refusal) {
            case MISSING_AUTHENTICATION_TOKEN -> new S3Error(403, "AccessDenied", "Access Denied");
            case UNRECOGNIZED_CLIENT, MISSING_SESSION_TOKEN -> new S3Error(403, "InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.");
            case SIGNATURE_MISMATCH -> new S3Error(403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
            case SIGNATURE_EXPIRED -> new S3Error(403, "RequestTimeTooSkewed",
                    "The difference between the request time and the current time is too large.");
            case EXPIRED_TOKEN -> new S3Error(400, "ExpiredToken", "The provided token has expired.");
            case INVALID_SESSION_TOKEN -> new S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
            case INCOMPLETE_SIGNATURE, INVALID_SIGNATURE -> new S3Error(400, "AuthorizationHeaderMalformed",
                    "The authorization header is malformed; " + message.strip());
        };
    }

    static S3Error missingContentHash() {
        return new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }

    static S3Error contentHashMismatch() {
        return new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    static S3Error badContentHash() {
        return new S3Error(400, "InvalidArgument",
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                        + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.");
    }

    /** The XML body S3 sends with the error. */
    String xml(String requestId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + Xml.escape(message)
                + "</Message><RequestId>" + requestId + "</RequestId></Error>";
    }

    /** Thrown on the way to the answer; an answer, not a bug, so without a stack trace. */
    static final class Refused extends RuntimeException {

        final S3Error error;

        Refused(S3Error error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        Refused(Refusal refusal, String message) {
            this(of(refusal, message));
        }
    }
}
