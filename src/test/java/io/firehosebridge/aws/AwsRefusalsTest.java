package io.firehosebridge.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.sts.model.StsException;

/** Which failures are AWS refusing the caller, and what the readiness checks then report. */
class AwsRefusalsTest {

    private static FirehoseException firehose(String code, String message) {
        return (FirehoseException) FirehoseException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    @Test
    void aRefusedKeyOrTokenIsTheCallersProblem() {
        assertThat(AwsRefusals.callerProblem(new CompletionException(firehose("ExpiredTokenException",
                "The security token included in the request is expired"))))
                .contains("ExpiredTokenException: The security token included in the request is expired");
        assertThat(AwsRefusals.callerProblem(firehose("InvalidSignatureException", "Signature expired"))).isPresent();
    }

    @Test
    void stsRefusingTheWebIdentityTokenIsNamedBelowTheClientExceptionThatCarriesIt() {
        StsException sts = (StsException) StsException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("InvalidIdentityToken").errorMessage("Couldn't retrieve verification key from your identity provider").build()).build();
        SdkClientException wrapped = SdkClientException.create("Unable to load credentials from WebIdentityTokenFileCredentialsProvider", sts);
        assertThat(AwsRefusals.callerProblem(wrapped)).contains("InvalidIdentityToken: Couldn't retrieve verification key from your identity provider");
    }

    @Test
    void credentialsThatCannotBeHadAreTheCallersProblem() {
        assertThat(AwsRefusals.callerProblem(SdkClientException.create("Unable to load credentials from any of the providers in the chain")))
                .contains("Unable to load credentials from any of the providers in the chain");
    }

    @Test
    void aTokenFileThatCannotBeReadIsTheCallersProblem() {
        // What the SDK's web identity provider throws when the projected token is missing (its request supplier reads the file).
        RuntimeException missing = new UncheckedIOException(new NoSuchFileException("/var/run/secrets/eks.amazonaws.com/serviceaccount/token"));
        assertThat(AwsRefusals.callerProblem(new CompletionException(missing)))
                .contains("the credentials' file cannot be read (NoSuchFileException: /var/run/secrets/eks.amazonaws.com/serviceaccount/token)");
    }

    @Test
    void anAnswerAboutTheRequestIsNot() {
        assertThat(AwsRefusals.callerProblem(firehose("ResourceNotFoundException", "Firehose clicks not found."))).isEmpty();
        assertThat(AwsRefusals.callerProblem(firehose("ServiceUnavailableException", "Slow down."))).isEmpty();
        assertThat(AwsRefusals.callerProblem(SdkClientException.create("Unable to execute HTTP request: Connection refused"))).isEmpty();
    }
}
