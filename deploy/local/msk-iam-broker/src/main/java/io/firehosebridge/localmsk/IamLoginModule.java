package io.firehosebridge.localmsk;

import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.spi.LoginModule;

/**
 * The broker's JAAS login module for AWS_MSK_IAM ({@code listener.name.<listener>.aws_msk_iam.sasl.jaas.config}). The broker
 * loads it when the listener starts; loading it registers {@link IamSaslServerProvider}, through which Kafka's
 * {@code Sasl.createSaslServer("AWS_MSK_IAM", ...)} finds this mechanism (as Kafka's own PLAIN and SCRAM login modules do).
 * Its options configure {@link IamServerCallbackHandler}: {@code keys} (the key file), {@code region}, optional
 * {@code hosts} and {@code clockOffsetSeconds}. It logs nobody in itself.
 */
public class IamLoginModule implements LoginModule {

    static {
        IamSaslServerProvider.initialize();
    }

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState, Map<String, ?> options) {
    }

    @Override
    public boolean login() {
        return true;
    }

    @Override
    public boolean commit() {
        return true;
    }

    @Override
    public boolean abort() {
        return false;
    }

    @Override
    public boolean logout() {
        return true;
    }
}
