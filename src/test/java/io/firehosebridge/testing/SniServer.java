package io.firehosebridge.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;

/**
 * An HTTPS endpoint on a free loopback port that serves one host name and requires clients to name it by SNI, as AWS
 * endpoints (and most servers behind a shared address) do. The TLS handshake itself depends on the name: a ClientHello
 * naming the host gets that host's certificate (a DNS name, no address); one naming no host or another gets a certificate
 * for {@link #FALLBACK_NAME}, which no client asking for the host accepts. A request whose connection did not name the host
 * is answered 421 (Misdirected Request) and never reaches the handler.
 *
 * <p>The JDK sends SNI only for a host name with a dot in it, never for an address or for {@code localhost}; such a name
 * resolves to loopback on no build machine, so a test maps it there itself (a hosts entry for its client).
 */
public final class SniServer implements AutoCloseable {

    /** The name on the certificate served to a handshake that did not name the host. */
    public static final String FALLBACK_NAME = "no-sni.invalid";

    private final String hostName;
    private final TestCertificate certificate;
    private final HttpServer server;
    private final List<String> namesIndicated;

    private SniServer(String hostName, TestCertificate certificate, HttpServer server, List<String> namesIndicated) {
        this.hostName = hostName;
        this.certificate = certificate;
        this.server = server;
        this.namesIndicated = namesIndicated;
    }

    /**
     * Starts the endpoint, with fresh certificates under {@code dir}, passing the requests that named {@code hostName} to
     * {@code handler}.
     */
    public static SniServer start(Vertx vertx, Path dir, String hostName, Handler<HttpServerRequest> handler) throws Exception {
        TestCertificate named = TestCertificate.forHost(dir.resolve("named"), hostName);
        TestCertificate fallback = TestCertificate.forHost(dir.resolve("fallback"), FALLBACK_NAME);
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true).setSni(true)
                .setKeyCertOptions(new ByServerName(hostName, named.keyManagerFactory(), fallback.keyManagerFactory()));
        List<String> seen = new ArrayList<>();
        HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
            String indicated = request.connection().indicatedServerName();
            synchronized (seen) {
                seen.add(indicated == null ? "" : indicated);
            }
            if (hostName.equalsIgnoreCase(indicated)) {
                handler.handle(request);
            } else {
                request.response().setStatusCode(421).putHeader("Content-Type", "text/plain")
                        .end("this endpoint serves " + hostName + " only; the TLS handshake named " + (indicated == null ? "no host" : indicated));
            }
        }).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new SniServer(hostName, named.alsoTrusting(fallback), server, seen);
    }

    public String hostName() {
        return hostName;
    }

    public int port() {
        return server.actualPort();
    }

    /** A hosts-file line mapping this host name to the endpoint's loopback address (the JDK's and Vert.x's hosts files alike). */
    public static String hostsEntry(String hostName) {
        return "127.0.0.1 " + hostName + "\n";
    }

    /** The host's certificate, with a trust store holding it and the fallback certificate: a client trusting it trusts either. */
    public TestCertificate certificate() {
        return certificate;
    }

    /** The SNI name of each request's connection, in order ({@code ""} where the handshake named no host). */
    public List<String> namesIndicated() {
        synchronized (namesIndicated) {
            return List.copyOf(namesIndicated);
        }
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Keys chosen by the name the ClientHello carries: the host's for the host, the fallback's for none or any other. */
    private record ByServerName(String hostName, KeyManagerFactory named, KeyManagerFactory fallback) implements KeyCertOptions {

        @Override
        public KeyCertOptions copy() {
            return this;
        }

        @Override
        public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
            return fallback;
        }

        @Override
        public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
            return name -> hostName.equalsIgnoreCase(name) ? named : null;
        }

        @Override
        public Function<String, X509KeyManager> keyManagerMapper(Vertx vertx) {
            return name -> hostName.equalsIgnoreCase(name) ? (X509KeyManager) named.getKeyManagers()[0] : null;
        }
    }
}
