package io.firehosebridge.aws;

/**
 * A call that never went out because the AWS credentials could not be had: a web identity token file that cannot be read, STS
 * refusing the token, no credentials in the chain. Like AWS refusing the caller, it says nothing about the records.
 */
public final class CredentialsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CredentialsUnavailableException(Throwable cause) {
        super("could not resolve AWS credentials: " + cause.getMessage(), cause);
    }
}
