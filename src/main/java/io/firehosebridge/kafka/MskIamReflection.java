package io.firehosebridge.kafka;

import io.quarkus.runtime.annotations.RegisterForReflection;
import software.amazon.msk.auth.iam.IAMClientCallbackHandler;
import software.amazon.msk.auth.iam.IAMLoginModule;
import software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler;
import software.amazon.msk.auth.iam.internals.IAMSaslClient;
import software.amazon.msk.auth.iam.internals.region.CnameRegionProvider;
import software.amazon.msk.auth.iam.internals.region.LookupDnsRegionProvider;
import software.amazon.msk.auth.iam.internals.region.Route53RegionProvider;

/**
 * Registers for reflection in a native image what an MSK IAM login ({@code sasl.mechanism=AWS_MSK_IAM}) creates from a class
 * name. Nothing in the service refers to these classes; they are named in settings or strings:
 * <ul>
 * <li>the login module, which JAAS loads from {@code kafka.sasl.jaas.config}, and the callback handlers, which Kafka loads from
 * {@code kafka.sasl.client.callback.handler.class} (or {@code sasl.login.callback.handler.class} for OAUTHBEARER);</li>
 * <li>the two SASL client factories, which the library's security providers name as strings and
 * {@code javax.security.sasl.Sasl} instantiates;</li>
 * <li>the region providers that the JAAS option {@code awsMskRegionProvider} names;</li>
 * <li>the SDK's STS factory for a profile with {@code role_arn}, which the credentials chain of the login (and of the Firehose
 * and S3 clients) loads by name. The {@code sts} jar's own native-image metadata registers only the web-identity factory (IRSA);
 * named as a string because it lives in an SDK-internal package.</li>
 * </ul>
 * {@code NativeSourcesCheck} finds these in the library's and the SDK's jars and fails when one is not registered.
 */
@RegisterForReflection(targets = { IAMLoginModule.class, IAMClientCallbackHandler.class, IAMOAuthBearerLoginCallbackHandler.class,
        IAMSaslClient.IAMSaslClientFactory.class, IAMSaslClient.ClassLoaderAwareIAMSaslClientFactory.class, CnameRegionProvider.class,
        LookupDnsRegionProvider.class, Route53RegionProvider.class },
        classNames = "software.amazon.awssdk.services.sts.internal.StsProfileCredentialsProviderFactory")
final class MskIamReflection {

    private MskIamReflection() {
    }
}
