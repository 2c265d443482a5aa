package io.firehosebridge.aws;

import java.nio.file.FileSystemException;
import java.util.Optional;
import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Tells an AWS refusal of the caller (its key, its signature, its token, its clock) from everything else, and says which
 * settings decide who the caller is. Such a refusal is never the fault of the records in the call.
 */
public final class AwsRefusals {

    /** Error codes by which AWS refuses the caller: JSON protocols (Firehose, STS's query errors) and S3's. */
    private static final Set<String> CALLER_CODES = Set.of("UnrecognizedClientException", "InvalidSignatureException",
            "IncompleteSignatureException", "MissingAuthenticationTokenException", "ExpiredTokenException", "AccessDeniedException",
            "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "RequestExpired", "InvalidIdentityToken",
            "AccessDenied", "InvalidAccessKeyId", "RequestTimeTooSkewed", "InvalidToken");

    private AwsRefusals() {
    }

    /** Whether an AWS error code refuses the caller rather than the request's content. */
    public static boolean refusesCaller(String errorCode) {
        return errorCode != null && CALLER_CODES.contains(errorCode);
    }

    /**
     * The refusal of the caller in {@code failure}'s causes, if there is one: AWS's code and message, or why no credentials
     * could be had (a token file that cannot be read; the SDK's providers fail with a client exception naming credentials or
     * the web identity token; a call that could not get credentials at all, {@link CredentialsUnavailableException}).
     * AWS's own answer wins over the SDK's account of it (STS refusing the token sits below the client exception that
     * reports it), a file that cannot be read over the message that mentions it.
     */
    public static Optional<String> callerProblem(Throwable failure) {
        String file = null;
        String client = null;
        String unavailable = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException e && e.awsErrorDetails() != null && refusesCaller(e.awsErrorDetails().errorCode())) {
                return Optional.of(e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
            }
            if (file == null && t instanceof FileSystemException e) {
                // The only file an AWS call reads is the one its credentials come from: the web identity token file.
                file = "the credentials' file cannot be read (" + e.getClass().getSimpleName() + ": " + e.getFile() + ")";
            } else if (client == null && t instanceof SdkClientException && t.getMessage() != null
                    && (t.getMessage().contains("credentials") || t.getMessage().contains("web identity token"))) {
                client = t.getMessage();
            } else if (unavailable == null && t instanceof CredentialsUnavailableException) {
                unavailable = t.getMessage();
            }
        }
        return Optional.ofNullable(file != null ? file : client != null ? client : unavailable);
    }

    /** Which settings say who the service is to AWS, as they are now: what to check when AWS refuses it. */
    public static String whoTheServiceIs(AwsConfig aws) {
        if (aws.credentials().accessKeyId().isPresent()) {
            return "static keys bridge.aws.credentials.access-key-id (" + aws.credentials().accessKeyId().get()
                    + ") and bridge.aws.credentials.secret-access-key";
        }
        return AwsClients.WebIdentity.fromEnvironment()
                .map(w -> "web identity (IRSA): role AWS_ROLE_ARN (" + w.roleArn() + ") and its token file AWS_WEB_IDENTITY_TOKEN_FILE ("
                        + w.tokenFile() + "), which must be readable and current")
                .orElse("the AWS SDK's default credentials chain (no bridge.aws.credentials, no AWS_ROLE_ARN/AWS_WEB_IDENTITY_TOKEN_FILE)");
    }
}
