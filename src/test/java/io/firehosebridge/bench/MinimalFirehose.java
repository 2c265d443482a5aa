package io.firehosebridge.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.firehosebridge.testing.TestCertificate;
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
 * a response prebuilt for that count. Runs inside the benchmark's JVM, so none of its CPU is the bridge's. With a
 * {@link TestCertificate} it serves HTTPS for 127.0.0.1, which the bridge is told to trust. With a latency it answers each
 * {@code PutRecordBatch} that much later (a timer, no thread held), as a Firehose a pod reaches in tens of milliseconds.
 */
final class MinimalFirehose implements AutoCloseable {

    private static final ByteProcessor FIND_OPEN_BRACE = b -> b != '{';

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final ConcurrentHashMap<Integer, Buffer> responses = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final long latencyMillis;
    /** Puts received and not yet answered, and their integral over time: calls held here, the latency's share of those in flight. */
    private int open;
    private long openSince = System.nanoTime();
    private double openNanos;

    /** Listens on 127.0.0.1:{@code port}, over HTTPS when {@code tls} is given, answering at once. */
    MinimalFirehose(int port, TestCertificate tls) throws Exception {
        this(port, tls, 0);
    }

    /** Listens on 127.0.0.1:{@code port}, over HTTPS when {@code tls} is given, answering puts {@code latencyMillis} late. */
    MinimalFirehose(int port, TestCertificate tls, long latencyMillis) throws Exception {
        this.latencyMillis = latencyMillis;
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true);
        if (tls != null) {
            options.setSsl(true)
                    .setKeyCertOptions(new PfxOptions().setPath(tls.keyStore().toString()).setPassword(TestCertificate.PASSWORD));
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
                Buffer answer = responses.computeIfAbsent(entries, MinimalFirehose::accepted);
                openChanged(1);
                if (latencyMillis > 0) {
                    vertx.setTimer(latencyMillis, id -> {
                        openChanged(-1);
                        reply(request, 200, answer);
                    });
                } else {
                    openChanged(-1);
                    reply(request, 200, answer);
                }
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

    private synchronized void openChanged(int by) {
        long now = System.nanoTime();
        openNanos += (double) open * (now - openSince);
        openSince = now;
        open += by;
    }

    /**
     * Puts held so far (received, not yet answered), integrated over time in call-nanoseconds: its growth over an interval,
     * by the interval's length, is the mean number of calls held.
     */
    synchronized double openCallNanos() {
        return openNanos + (double) open * (System.nanoTime() - openSince);
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
