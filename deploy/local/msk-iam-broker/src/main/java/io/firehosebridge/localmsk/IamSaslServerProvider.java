package io.firehosebridge.localmsk;

import java.security.Provider;
import java.security.Security;

/** Registers {@link IamSaslServer.Factory} as the JDK's SASL server factory for AWS_MSK_IAM. */
public final class IamSaslServerProvider extends Provider {

    private static final long serialVersionUID = 1L;

    private IamSaslServerProvider() {
        super("Local MSK IAM SASL server", "1", "AWS_MSK_IAM for the local stack's IAM Kafka broker");
        put("SaslServerFactory." + IamSaslServer.MECHANISM, IamSaslServer.Factory.class.getName());
    }

    static synchronized void initialize() {
        if (Security.getProvider("Local MSK IAM SASL server") == null) {
            Security.addProvider(new IamSaslServerProvider());
        }
    }
}
