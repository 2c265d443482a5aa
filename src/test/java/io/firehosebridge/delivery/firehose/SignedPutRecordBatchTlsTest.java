package io.firehosebridge.delivery.firehose;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.Settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.delivery.firehose.SignedPutRecordBatchTest.Captured;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.firehosebridge.testing.SniServer;
import io.firehosebridge.testing.TestCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;

/**
 * The direct PutRecordBatch call over HTTPS, as every real Firehose call is made: TLS trusting what the JVM trusts and
 * verifying the host name, bodies much larger than one TLS record (16 KB) arriving byte for byte through the pooled
 * buffers of the JDK's TLS engine, one connection reused call after call, and endpoints refused whose certificate the
 * JVM does not trust or that names another host. And as AWS's endpoints are reached: by a host name the client names in its
 * TLS handshake (SNI), to an endpoint that serves its certificate, for that name only, to a handshake naming it.
 */
class SignedPutRecordBatchTlsTest {

    private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("test-key", "test-secret");
    private static final String FIREHOSE_HOST = "firehose.us-east-1.localhost";

    private static Vertx vertx;
    private static TestCertificate loopback;
    private static TestCertificate otherHost;
    private static SniServer namedEndpoint;
    private static final List<Captured> received = new ArrayList<>();
    private static final AtomicInteger connections = new AtomicInteger();
    private final Map<String, String> trustBefore = new TreeMap<>();

    @BeforeAll
    static void certificates() throws Exception {
        // No host name with a dot resolves to loopback on a build machine, and the JDK sends SNI for no other; Vert.x's own
        // resolver takes a hosts entry. Quarkus switches that resolver off for its instance (vertx.disableDnsResolver); this one has it anyway.
        String resolverDisabled = System.clearProperty("vertx.disableDnsResolver");
        try {
            vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(
                    new AddressResolverOptions().setHostsValue(Buffer.buffer(SniServer.hostsEntry(FIREHOSE_HOST)))));
        } finally {
            if (resolverDisabled != null) {
                System.setProperty("vertx.disableDnsResolver", resolverDisabled);
            }
        }
        loopback = TestCertificate.forLoopback(Path.of("target", "tls-test", "loopback"));
        otherHost = TestCertificate.generate(Path.of("target", "tls-test", "other-host"), "CN=firehose.example", "san=dns:firehose.example");
        namedEndpoint = SniServer.start(vertx, Path.of("target", "tls-test", "firehose-sni"), FIREHOSE_HOST,
                SignedPutRecordBatchTlsTest::acceptEveryEntry);
    }

    @AfterAll
    static void stop() throws Exception {
        namedEndpoint.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void restoreTrust() {
        trustBefore.forEach((name, value) -> {
            if (value.isEmpty()) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        trustBefore.clear();
    }

    /**
     * Makes the JVM trust this certificate only, as the deployment's trust store would: the client builds its TLS context from
     * the JVM's trust settings when it is made, which is the path under test. Restored after each test; nothing here asks for
     * the JVM's default context ({@code SSLContext.getDefault()}), which would keep them for good.
     */
    private void trust(TestCertificate certificate) {
        certificate.trustProperties().forEach((name, value) -> {
            trustBefore.putIfAbsent(name, System.getProperty(name, ""));
            System.setProperty(name, value);
        });
    }

    /** An HTTPS endpoint on a free loopback port serving this certificate, accepting every entry of each call. */
    private static HttpServer serve(TestCertificate certificate) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PfxOptions().setPath(certificate.keyStore().toString()).setPassword(TestCertificate.PASSWORD));
        HttpServer server = vertx.createHttpServer(options).connectionHandler(c -> connections.incrementAndGet())
                .requestHandler(SignedPutRecordBatchTlsTest::acceptEveryEntry);
        return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Keeps the call in {@link #received} and answers it with every entry accepted. */
    private static void acceptEveryEntry(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            request.headers().names().forEach(name -> headers.put(name, String.join(",", request.headers().getAll(name))));
            int entries = 0;
            for (byte b : body.getBytes()) {
                entries += b == '{' ? 1 : 0;
            }
            StringBuilder answer = new StringBuilder("{\"FailedPutCount\":0,\"RequestResponses\":[");
            for (int i = 1; i < entries; i++) {
                answer.append(i > 1 ? "," : "").append("{\"RecordId\":\"r").append(i).append("\"}");
            }
            synchronized (received) {
                received.add(new Captured(request.method().name(), request.uri(), headers, body.getBytes()));
            }
            request.response().putHeader("Content-Type", "application/x-amz-json-1.1").end(answer.append("]}").toString());
        });
    }

    private static URI byAddress(int port) {
        return URI.create("https://127.0.0.1:" + port);
    }

    private static SignedPutRecordBatch client(URI endpoint) {
        return new SignedPutRecordBatch(vertx, endpoint, StaticCredentialsProvider.create(CREDENTIALS), "us-east-1", Duration.ofSeconds(10), 1);
    }

    /** Records of random bytes up to 3,000 long (base64 and JSON make them 4/3 larger, no brace among them). */
    private static List<PendingRecord> records(int count, long seed) {
        Random random = new Random(seed);
        List<PendingRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[1 + random.nextInt(3000)];
            random.nextBytes(data);
            records.add(new PendingRecord(new KafkaCoordinates("clicks", 0, i, 0), null, data, null, null, Settlement.NONE));
        }
        return records;
    }

    @Test
    void sendsLargeBodiesByteForByteOverOneVerifiedConnection() throws Exception {
        trust(loopback);
        HttpServer server = serve(loopback);
        received.clear();
        connections.set(0);
        List<List<PendingRecord>> calls = List.of(records(500, 1), records(7, 2), records(300, 3), records(500, 4));
        try (SignedPutRecordBatch direct = client(byAddress(server.actualPort()))) {
            for (List<PendingRecord> call : calls) {
                PutRecordBatchResponse response = direct.send("clicks", call).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(response.failedPutCount()).isZero();
                assertThat(response.requestResponses()).hasSize(call.size());
            }
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(received).hasSize(calls.size());
        assertThat(connections.get()).as("TLS connections opened for %d calls", calls.size()).isEqualTo(1);
        for (int i = 0; i < calls.size(); i++) {
            Captured call = received.get(i);
            byte[] expected = PutRecordBatchBody.write("clicks", calls.get(i));
            assertThat(call.body()).as("body of call %d (%,d bytes)", i, expected.length).isEqualTo(expected);
            assertThat(call.headers().get("Content-Length")).isEqualTo(Integer.toString(expected.length));
            assertThat(SignedPutRecordBatchTest.verify(call, call.body())).as("signature of call %d", i)
                    .isEqualTo(call.headers().get("Authorization"));
        }
        assertThat(received.get(0).body().length).as("the largest body spans many TLS records").isGreaterThan(20 * 16_384);
    }

    @Test
    void refusesAnEndpointWhoseCertificateTheJvmDoesNotTrust() throws Exception {
        trust(otherHost);
        assertRefused(loopback, "PKIX|certification path|unable to find valid");
    }

    @Test
    void refusesAnEndpointWhoseCertificateNamesAnotherHost() throws Exception {
        trust(otherHost);
        assertRefused(otherHost, "subject alternative|No name matching|No subject");
    }

    @Test
    void namesTheEndpointsHostInTheHandshakeAndSignsForIt() throws Exception {
        trust(namedEndpoint.certificate());
        int before = namedEndpoint.namesIndicated().size();
        received.clear();
        List<PendingRecord> call = records(20, 6);
        try (SignedPutRecordBatch direct = client(URI.create("https://" + FIREHOSE_HOST + ":" + namedEndpoint.port()))) {
            PutRecordBatchResponse response = direct.send("clicks", call).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(response.failedPutCount()).isZero();
            assertThat(response.requestResponses()).hasSize(call.size());
        }
        assertThat(namedEndpoint.namesIndicated().subList(before, namedEndpoint.namesIndicated().size())).as("SNI of the call's connection")
                .containsExactly(FIREHOSE_HOST);
        assertThat(received).hasSize(1);
        Captured sent = received.get(0);
        assertThat(sent.headers().get("Host")).isEqualTo(FIREHOSE_HOST + ":" + namedEndpoint.port());
        assertThat(sent.headers().get("Authorization")).containsPattern("SignedHeaders=([a-z0-9-]+;)*host[;,]");
        assertThat(SignedPutRecordBatchTest.verify(sent, sent.body())).as("signature over the Host header as received")
                .isEqualTo(sent.headers().get("Authorization"));
    }

    /** The same endpoint by its address: the JDK names no host for an address, and the certificate then served is another's. */
    @Test
    void refusesTheNamedEndpointReachedByItsAddress() throws Exception {
        trust(namedEndpoint.certificate());
        int before = namedEndpoint.namesIndicated().size();
        assertRefused(byAddress(namedEndpoint.port()), "No subject alternative names matching IP address 127\\.0\\.0\\.1");
        assertThat(namedEndpoint.namesIndicated()).as("requests that reached the endpoint").hasSize(before);
    }

    private static void assertRefused(TestCertificate served, String reason) throws Exception {
        HttpServer server = serve(served);
        try {
            assertRefused(byAddress(server.actualPort()), reason);
        } finally {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(URI endpoint, String reason) {
        received.clear();
        try (SignedPutRecordBatch direct = client(endpoint)) {
            assertThatThrownBy(() -> direct.send("clicks", records(3, 5)).toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(SdkClientException.class)
                    .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLException)
                            .anyMatch(c -> c.getMessage() != null && Pattern.compile(reason).matcher(c.getMessage()).find()));
        }
        assertThat(received).as("requests the refused endpoint received").isEmpty();
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = e; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
