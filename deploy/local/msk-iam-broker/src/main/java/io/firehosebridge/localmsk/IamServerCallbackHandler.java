package io.firehosebridge.localmsk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;

/**
 * The listener's server callback handler for AWS_MSK_IAM
 * ({@code listener.name.<listener>.aws_msk_iam.sasl.server.callback.handler.class}): gives {@link IamSaslServer} a
 * {@link SignedLoginVerifier} configured from {@link IamLoginModule}'s options:
 * <ul>
 * <li>{@code keys}: a properties file of the keys this broker knows, read at every login (so keys added later count):
 * {@code <access key id>.secret}, and for temporary credentials {@code <id>.session-token} and {@code <id>.expires}
 * (ISO-8601), optionally {@code <id>.principal} (the Kafka principal name; default the access key id);</li>
 * <li>{@code region}: the region the credential scope must name;</li>
 * <li>{@code hosts}: comma-separated host names the signed {@code host} may be (default: the name Kafka gives the
 * broker's own address, the name a client connecting to that address signs);</li>
 * <li>{@code clockOffsetSeconds}: added to this broker's clock for these checks (default 0), to stand for a client
 * whose clock is off by the opposite amount.</li>
 * </ul>
 */
public class IamServerCallbackHandler implements AuthenticateCallbackHandler {

    private Path keys;
    private String region;
    private List<String> hosts;
    private Clock clock;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        if (!IamSaslServer.MECHANISM.equals(saslMechanism)) {
            throw new IllegalArgumentException("Unexpected SASL mechanism " + saslMechanism);
        }
        Map<String, ?> options = jaasConfigEntries.stream().filter(e -> e.getLoginModuleName().equals(IamLoginModule.class.getName()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("sasl.jaas.config must name " + IamLoginModule.class.getName()))
                .getOptions();
        keys = Path.of(required(options, "keys"));
        region = required(options, "region");
        Object hostList = options.get("hosts");
        hosts = hostList == null ? null : Arrays.stream(hostList.toString().split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        Object offset = options.get("clockOffsetSeconds");
        clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(offset == null ? 0 : Long.parseLong(offset.toString())));
    }

    @Override
    public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (!(callback instanceof IamSaslServer.VerifierCallback verifierCallback)) {
                throw new UnsupportedCallbackException(callback);
            }
            List<String> names = hosts != null ? hosts : List.of(verifierCallback.serverName);
            verifierCallback.verifier = new SignedLoginVerifier(readKeys(), region, names, clock);
        }
    }

    @Override
    public void close() {
    }

    private Map<String, SignedLoginVerifier.Key> readKeys() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(keys)) {
            p.load(in);
        }
        Map<String, SignedLoginVerifier.Key> byId = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.endsWith(".secret")) {
                String id = name.substring(0, name.length() - ".secret".length());
                String expires = p.getProperty(id + ".expires");
                byId.put(id, new SignedLoginVerifier.Key(id, p.getProperty(name), p.getProperty(id + ".session-token"),
                        expires == null ? null : Instant.parse(expires), p.getProperty(id + ".principal", id)));
            }
        }
        return byId;
    }

    private static String required(Map<String, ?> options, String name) {
        Object value = options.get(name);
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException(IamLoginModule.class.getName() + " needs the option " + name);
        }
        return value.toString();
    }
}
