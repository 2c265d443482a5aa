package io.firehosebridge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/**
 * The SNI endpoint the client tests rely on, checked with a bare TLS socket that chooses what its ClientHello names and
 * verifies no host name: so that a client test passing there proves its client sent the name, not that the endpoint lets
 * anything through.
 */
class SniServerTest {

    private static final String HOST = "sni-check.us-east-1.localhost";

    private static Vertx vertx;
    private static SniServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = SniServer.start(vertx, Path.of("target", "tls-test", "sni-server"), HOST,
                request -> request.response().end("answered"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What came back on one connection: the names on the certificate served, and the answer's status line. */
    record Exchange(List<String> certificateNames, String statusLine) {
    }

    @Test
    void aHandshakeNamingTheHostGetsItsCertificateAndTheAnswer() throws Exception {
        Exchange exchange = get(HOST);
        assertThat(exchange.certificateNames()).containsExactly(HOST);
        assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 200 OK");
    }

    @Test
    void aHandshakeNamingNoHostGetsAnotherCertificateAndA421() throws Exception {
        Exchange exchange = get(null);
        assertThat(exchange.certificateNames()).containsExactly(SniServer.FALLBACK_NAME);
        assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 421 Misdirected Request");
    }

    @Test
    void aHandshakeNamingAnotherHostGetsAnotherCertificateAndA421() throws Exception {
        Exchange exchange = get("other.us-east-1.localhost");
        assertThat(exchange.certificateNames()).containsExactly(SniServer.FALLBACK_NAME);
        assertThat(exchange.statusLine()).isEqualTo("HTTP/1.1 421 Misdirected Request");
    }

    /** GET / with Host set to the host, over a connection to 127.0.0.1 whose ClientHello names {@code sni} (nothing if null). */
    private static Exchange get(String sni) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server.certificate().trustStore())) {
            trusted.load(in, TestCertificate.PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            List<String> names = served.getSubjectAlternativeNames().stream().map(name -> name.get(1).toString()).toList();
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return new Exchange(names, answer.substring(0, answer.indexOf("\r\n")));
        }
    }
}
