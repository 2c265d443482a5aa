package io.firehosebridge.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;

/**
 * A server key and self-signed certificate made by {@code keytool}, and a trust store holding only that certificate, both
 * PKCS12 with password {@link #PASSWORD}: for serving HTTPS locally to a client told to trust it.
 */
public record TestCertificate(Path keyStore, Path trustStore) {

    public static final String PASSWORD = "local-tls";

    /** A fresh RSA 2048 key (the kind AWS endpoints use) and a certificate for 127.0.0.1. */
    public static TestCertificate forLoopback(Path dir) throws Exception {
        return generate(dir, "CN=127.0.0.1", "san=ip:127.0.0.1");
    }

    /** A fresh RSA 2048 key and a certificate for this host name only (a DNS name, no address), as AWS endpoints have. */
    public static TestCertificate forHost(Path dir, String hostName) throws Exception {
        return generate(dir, "CN=" + hostName, "san=dns:" + hostName);
    }

    /** A fresh RSA 2048 key and a certificate whose only name is the given one ({@code keytool -ext}, e.g. {@code san=dns:example.com}). */
    public static TestCertificate generate(Path dir, String distinguishedName, String subjectAlternativeName) throws Exception {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.pem");
        Path trustStore = dir.resolve("trust.p12");
        for (Path p : List.of(keyStore, cert, trustStore)) {
            Files.deleteIfExists(p);
        }
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", distinguishedName,
                "-ext", subjectAlternativeName, "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-file",
                cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-storetype", "PKCS12", "-keystore",
                trustStore.toString(), "-storepass", PASSWORD);
        return new TestCertificate(keyStore, trustStore);
    }

    /** This certificate with a trust store holding {@code other}'s certificate too, for a server that serves either. */
    public TestCertificate alsoTrusting(TestCertificate other) throws Exception {
        Path both = trustStore.resolveSibling("trust-also-" + other.keyStore.getParent().getFileName() + ".p12");
        Files.copy(trustStore, both, StandardCopyOption.REPLACE_EXISTING);
        keytool("-importcert", "-noprompt", "-alias", "also", "-file", other.keyStore.resolveSibling("server.pem").toString(), "-storetype",
                "PKCS12", "-keystore", both.toString(), "-storepass", PASSWORD);
        return new TestCertificate(keyStore, both);
    }

    /** The key and certificate as a server's TLS engine takes them. */
    public KeyManagerFactory keyManagerFactory() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, PASSWORD.toCharArray());
        return factory;
    }

    /**
     * The JVM's trust settings that make it trust this certificate and nothing else (but one {@link #alsoTrusting} added): the
     * service uses the JVM's trust.
     */
    public Map<String, String> trustProperties() {
        return Map.of("javax.net.ssl.trustStore", trustStore.toAbsolutePath().toString(), "javax.net.ssl.trustStorePassword", PASSWORD,
                "javax.net.ssl.trustStoreType", "PKCS12");
    }

    /** {@link #trustProperties()} as options for a JVM to be started. */
    public List<String> trustingJvmOptions() {
        return trustProperties().entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
