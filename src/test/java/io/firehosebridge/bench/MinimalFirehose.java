package io.firehosebridge.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.ByteProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;

/**
 * A Firehose stand-in for measuring the bridge's own CPU: it answers {@code PutRecordBatch} at once with every entry
 * accepted and {@code DescribeDeliveryStream} with ACTIVE, and does nothing else. It does not decode records: it counts
 * the JSON objects in the body ({@code {"Data":…}} entries; base64 and the stream name hold no brace) and answers with
 * a response prebuilt for that count. Runs inside the benchmark's JVM, so none of its CPU is the bridge's. With
 * {@link Tls} it serves HTTPS with a certificate made by {@code keytool} for 127.0.0.1, which the bridge is told to trust.
 */
final class MinimalFirehose implements AutoCloseable {

    private static final ByteProcessor FIND_OPEN_BRACE = b -> b != '{';

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ConcurrentHashMap<Integer, Buffer> responses = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();

    /** A keystore for the stand-in and a truststore for the bridge, both PKCS12 with password {@link #PASSWORD}. */
    record Tls(Path keyStore, Path trustStore) {
        static final String PASSWORD = "bench-standin";

        /** Makes a fresh RSA 2048 key and self-signed certificate for 127.0.0.1 (the same kind of key AWS endpoints use). */
        static Tls generate(Path dir) throws Exception {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve("standin.p12");
            Path cert = dir.resolve("standin.pem");
            Path trustStore = dir.resolve("standin-trust.p12");
            for (Path p : List.of(keyStore, cert, trustStore)) {
                Files.deleteIfExists(p);
            }
            keytool("-genkeypair", "-alias", "standin", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                    "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", "standin", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-file",
                    cert.toString());
            keytool("-importcert", "-noprompt", "-alias", "standin", "-file", cert.toString(), "-storetype", "PKCS12", "-keystore",
                    trustStore.toString(), "-storepass", PASSWORD);
            return new Tls(keyStore, trustStore);
        }

        /** JVM options that make the bridge trust the stand-in's certificate (the SDK's Netty client uses the JVM's trust). */
        List<String> bridgeJvmOptions() {
            return List.of("-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath(), "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                    "-Djavax.net.ssl.trustStoreType=PKCS12");
        }

        private static void keytool(String... args) throws Exception {
            List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        }
    }

    /** Listens on 127.0.0.1:{@code port}, over HTTPS when {@code tls} is given. */
    MinimalFirehose(int port, Tls tls) throws Exception {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(Tls.PASSWORD));
        }
        server = vertx.createHttpServer(options).requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest request) {
        String target = String.valueOf(request.getHeader("X-Amz-Target"));
        request.body().onSuccess(body -> {
            if (target.endsWith(".PutRecordBatch")) {
                int entries = count(body) - 1;
                records.addAndGet(entries);
                calls.incrementAndGet();
                reply(request, 200, responses.computeIfAbsent(entries, MinimalFirehose::accepted));
            } else if (target.endsWith(".DescribeDeliveryStream")) {
                reply(request, 200, Buffer.buffer("{\"DeliveryStreamDescription\":{\"DeliveryStreamName\":\"clicks\","
                        + "\"DeliveryStreamARN\":\"arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks\","
                        + "\"DeliveryStreamStatus\":\"ACTIVE\",\"DeliveryStreamType\":\"DirectPut\",\"VersionId\":\"1\","
                        + "\"Destinations\":[],\"HasMoreDestinations\":false}}"));
            } else {
                reply(request, 400, Buffer.buffer("{\"__type\":\"InvalidArgumentException\",\"message\":\"not served by the stand-in: "
                        + target + "\"}"));
            }
        });
    }

    /** JSON objects in the body: the request itself plus one per record. */
    private static int count(Buffer body) {
        io.netty.buffer.ByteBuf buf = body.getByteBuf();
        int n = 0;
        int from = buf.readerIndex();
        int end = buf.writerIndex();
        while (from < end) {
            int at = buf.forEachByte(from, end - from, FIND_OPEN_BRACE);
            if (at < 0) {
                break;
            }
            n++;
            from = at + 1;
        }
        return n;
    }

    private static Buffer accepted(int entries) {
        StringBuilder json = new StringBuilder(32 + entries * 20).append("{\"Encrypted\":false,\"FailedPutCount\":0,\"RequestResponses\":[");
        for (int i = 0; i < entries; i++) {
            json.append(i == 0 ? "" : ",").append("{\"RecordId\":\"r").append(i).append("\"}");
        }
        return Buffer.buffer(json.append("]}").toString());
    }

    private static void reply(HttpServerRequest request, int status, Buffer body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/x-amz-json-1.1")
                .putHeader("x-amzn-RequestId", "standin").end(body);
    }

    /** Records accepted so far. */
    long records() {
        return records.get();
    }

    /** PutRecordBatch calls answered so far. */
    long calls() {
        return calls.get();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
