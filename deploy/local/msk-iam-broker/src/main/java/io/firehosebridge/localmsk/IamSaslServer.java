package io.firehosebridge.localmsk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import javax.security.sasl.SaslServerFactory;

import org.apache.kafka.common.errors.SaslAuthenticationException;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The broker's side of one AWS_MSK_IAM login: one message from the client (the signed JSON payload), checked by
 * {@link SignedLoginVerifier}; on success one answer ({@code {"version":"2020_10_22","request-id":"..."}}, which the client
 * library requires) and the login is complete, its authorization id the key's principal. A refusal is a
 * {@link SaslAuthenticationException}, whose message Kafka sends to the client.
 */
final class IamSaslServer implements SaslServer {

    static final String MECHANISM = "AWS_MSK_IAM";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Asks the listener's callback handler for the verifier of this broker host. */
    static final class VerifierCallback implements Callback {
        final String serverName;
        SignedLoginVerifier verifier;
        long credentialExpiresMs;

        VerifierCallback(String serverName) {
            this.serverName = serverName;
        }
    }

    private final CallbackHandler handler;
    private final String serverName;
    private SignedLoginVerifier.Key key;
    private boolean done;

    IamSaslServer(CallbackHandler handler, String serverName) {
        this.handler = handler;
        this.serverName = serverName;
    }

    @Override
    public String getMechanismName() {
        return MECHANISM;
    }

    @Override
    public byte[] evaluateResponse(byte[] response) throws SaslException {
        if (done) {
            throw new SaslAuthenticationException("AWS_MSK_IAM takes one message; the login is already complete");
        }
        done = true;
        Map<String, String> payload;
        try {
            payload = JSON.readValue(response, new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new SaslAuthenticationException("Invalid authentication payload: not a JSON object of strings");
        }
        VerifierCallback callback = new VerifierCallback(serverName);
        try {
            handler.handle(new Callback[] { callback });
        } catch (IOException | UnsupportedCallbackException e) {
            throw new SaslException("AWS_MSK_IAM needs " + IamServerCallbackHandler.class.getName()
                    + " as the listener's sasl.server.callback.handler.class", e);
        }
        try {
            key = callback.verifier.verify(payload);
        } catch (SignedLoginVerifier.Refused e) {
            throw new SaslAuthenticationException("Access denied: " + e.getMessage());
        }
        String answer = "{\"version\":\"" + SignedLoginVerifier.VERSION + "\",\"request-id\":\"" + UUID.randomUUID() + "\"}";
        return answer.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isComplete() {
        return key != null;
    }

    @Override
    public String getAuthorizationID() {
        requireComplete();
        return key.principal();
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        requireComplete();
        return Arrays.copyOfRange(incoming, offset, offset + len);
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        requireComplete();
        return Arrays.copyOfRange(outgoing, offset, offset + len);
    }

    @Override
    public Object getNegotiatedProperty(String name) {
        requireComplete();
        // Temporary credentials: the session must not outlive them (Kafka re-authenticates or closes the connection then,
        // where connections.max.reauth.ms is set on the listener).
        if ("CREDENTIAL.LIFETIME.MS".equals(name) && key.expires() != null) {
            return key.expires().toEpochMilli();
        }
        return null;
    }

    @Override
    public void dispose() {
    }

    private void requireComplete() {
        if (!isComplete()) {
            throw new IllegalStateException("The AWS_MSK_IAM login is not complete");
        }
    }

    /** Created by the JDK through {@link IamSaslServerProvider}. */
    public static final class Factory implements SaslServerFactory {

        @Override
        public SaslServer createSaslServer(String mechanism, String protocol, String serverName, Map<String, ?> props, CallbackHandler cbh)
                throws SaslException {
            if (!MECHANISM.equals(mechanism)) {
                throw new SaslException("Unsupported mechanism " + mechanism + "; this factory serves " + MECHANISM);
            }
            return new IamSaslServer(cbh, serverName);
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] { MECHANISM };
        }
    }
}
