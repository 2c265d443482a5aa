package io.firehosebridge.delivery.firehose;

import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.CredentialsUnavailableException;
import io.firehosebridge.delivery.batch.PendingRecord;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;

/**
 * {@code PutRecordBatch} as one signed HTTP request, without the SDK's call pipeline: the request the SDK would send
 * (same path, headers that matter and body, a test compares them), signed with the SDK's own SigV4 signer, sent with
 * the service's Vert.x HTTP client, and the answer read back into the SDK's response and exception types. The SDK
 * still supplies the credentials, the region and the endpoint; what is skipped is its generic machinery per call
 * (interceptor chain, futures and executors, its own Netty pipeline), which profiling showed to cost more CPU per record
 * than the rest of the bridge's own work.
 *
 * <p>Calls come from the Vert.x event loop, which must never block. Credentials other than static keys are looked up on a
 * worker thread: the SDK's providers refresh on the calling thread when their cached credentials expire (an STS call for
 * IRSA's web identity, an HTTP call for container or instance credentials, a process for {@code credential_process}).
 */
public final class SignedPutRecordBatch implements PutRecordBatchCall, AutoCloseable {

    static final String TARGET = "Firehose_20150804.PutRecordBatch";
    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final JsonFactory JSON = new JsonFactory();

    private final Vertx vertx;
    private final HttpClient http;
    private final URI endpoint;
    private final boolean tls;
    private final int port;
    private final AwsCredentialsProvider credentials;
    /** Static keys are at hand; any other provider may block the thread that asks while it fetches new credentials. */
    private final boolean credentialsMayBlock;
    private final String region;
    private final long timeoutMillis;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final BodyArrays bodies;
    private final AwsClock clock;

    /**
     * @param endpoint the Firehose endpoint (scheme, host, port), e.g. {@code https://firehose.us-east-1.amazonaws.com}
     * @param maxConnections connections kept to the endpoint (one per call in flight)
     */
    public SignedPutRecordBatch(Vertx vertx, URI endpoint, AwsCredentialsProvider credentials, String region,
            java.time.Duration callTimeout, int maxConnections) {
        this(vertx, endpoint, credentials, region, callTimeout, maxConnections, new AwsClock());
    }

    /**
     * @param clock the time requests are signed with, corrected when Firehose refuses a signing time (the service's one)
     */
    public SignedPutRecordBatch(Vertx vertx, URI endpoint, AwsCredentialsProvider credentials, String region,
            java.time.Duration callTimeout, int maxConnections, AwsClock clock) {
        this.vertx = vertx;
        this.clock = clock;
        this.endpoint = endpoint;
        this.tls = "https".equalsIgnoreCase(endpoint.getScheme());
        this.port = endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 80;
        this.credentials = credentials;
        this.credentialsMayBlock = !(credentials instanceof StaticCredentialsProvider);
        this.region = region;
        this.timeoutMillis = callTimeout.toMillis();
        this.bodies = new BodyArrays(maxConnections);
        // TLS trusts what the JVM trusts (its default trust store) and verifies the host name, as the SDK's client does.
        // The JDK's TLS engine works on heap buffers, which Vert.x otherwise leaves unpooled: two fresh 16 KB arrays per TLS
        // record (Netty's coalescing copy and the engine's output) were 46% of all bytes allocated over HTTPS (JFR).
        this.http = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setVerifyHost(true).setKeepAlive(true)
                .setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true))
                .setTcpKeepAlive(true).setTcpNoDelay(true).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(maxConnections));
    }

    @Override
    public CompletionStage<PutRecordBatchResponse> send(String deliveryStream, List<PendingRecord> records) {
        if (credentialsMayBlock && Context.isOnEventLoopThread()) {
            // The answer comes back on this event loop (the caller's context), where the request is then built and sent.
            CompletableFuture<PutRecordBatchResponse> result = new CompletableFuture<>();
            vertx.executeBlocking(credentials::resolveCredentials, false).onComplete(resolved -> {
                if (resolved.succeeded()) {
                    try {
                        send(deliveryStream, records, resolved.result()).whenComplete((response, failure) -> {
                            if (failure != null) {
                                result.completeExceptionally(failure);
                            } else {
                                result.complete(response);
                            }
                        });
                    } catch (RuntimeException e) {
                        // Thrown here, it would end in Vert.x's handler log and leave the call unanswered for good.
                        result.completeExceptionally(e);
                    }
                } else {
                    result.completeExceptionally(new CredentialsUnavailableException(resolved.cause()));
                }
            });
            return result;
        }
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new CredentialsUnavailableException(e));
        }
        return send(deliveryStream, records, identity);
    }

    /**
     * Sends the call; when Firehose refuses its signing time and says its own (the SDK's clock skew correction), signs it
     * again with Firehose's time and sends it once more.
     */
    private CompletionStage<PutRecordBatchResponse> send(String deliveryStream, List<PendingRecord> records, AwsCredentials identity) {
        AwsClock.Signing signing = clock.signing();
        return attempt(deliveryStream, records, identity, signing).exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (cause instanceof FirehoseException refused && clock.learn("PutRecordBatch", refused, signing.offset())) {
                return attempt(deliveryStream, records, identity, clock.signing());
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private CompletionStage<PutRecordBatchResponse> attempt(String deliveryStream, List<PendingRecord> records, AwsCredentials identity,
            AwsClock.Signing signing) {
        byte[] body = bodies.take(PutRecordBatchBody.size(deliveryStream, records));
        int length = PutRecordBatchBody.write(deliveryStream, records, body);
        SdkHttpRequest signed;
        try {
            signed = sign(body, length, identity, signing.clock());
        } catch (RuntimeException e) {
            bodies.give(body);
            return CompletableFuture.failedFuture(SdkClientException.create("could not sign the PutRecordBatch request", e));
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.getHost()).setPort(port).setSsl(tls)
                .setURI("/").setTimeout(timeoutMillis);
        signed.forEachHeader((name, values) -> {
            // Vert.x writes Host itself from the same host and port the signature covered.
            if (!"Host".equalsIgnoreCase(name)) {
                values.forEach(v -> options.addHeader(name, v));
            }
        });
        CompletableFuture<PutRecordBatchResponse> result = new CompletableFuture<>();
        AtomicBoolean written = new AtomicBoolean();
        http.request(options)
                .compose(request -> {
                    // The answer's reader is attached before the request is written. Attached to send()'s future instead, it
                    // could come after the whole answer had arrived on the event loop (the caller is not an event-loop
                    // thread), and the body was then lost: SignedPutRecordBatchTest saw an empty answer 1 run in 4.
                    Future<PutRecordBatchResponse> answered = request.response()
                            .compose(response -> response.body().map(answer -> read(response, answer)));
                    // The array is free again once the body is written out (or the write failed and the connection is
                    // gone), not when the answer comes: a call waits for its answer far longer than its body takes to
                    // write. Held until the answer, there were as many arrays as calls in flight (about 750 KB each for
                    // 500 records of 1 KB; up to 33 at once in a benchmark run with Firehose 60 ms away), kept in the
                    // old generation. Nothing of the body can reach a later request either: it is all written.
                    Future<Void> ended = request.end(Buffer.buffer(Unpooled.wrappedBuffer(body, 0, length)));
                    written.set(true); // only once end() returned: had it thrown, the completion below gives the array back
                    ended.onComplete(e -> bodies.give(body));
                    return answered;
                })
                .onComplete(done -> {
                    if (!written.get()) {
                        bodies.give(body); // no connection: nothing was written
                    }
                    if (done.succeeded()) {
                        result.complete(done.result());
                    } else if (done.cause() instanceof SdkException e) {
                        result.completeExceptionally(e);
                    } else {
                        result.completeExceptionally(SdkClientException.create("PutRecordBatch to " + endpoint + " failed: "
                                + done.cause().getMessage(), done.cause()));
                    }
                });
        return result;
    }

    /** The request the SDK sends for PutRecordBatch, signed (SigV4, service {@code firehose}) over the first {@code length} bytes of {@code body}. */
    SdkHttpRequest sign(byte[] body, int length, AwsCredentials identity) {
        return sign(body, length, identity, clock.signing().clock());
    }

    private SdkHttpRequest sign(byte[] body, int length, AwsCredentials identity, java.time.Clock signingClock) {
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol(tls ? "https" : "http")
                .host(endpoint.getHost()).port(port).encodedPath("/")
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET)
                .putHeader("Content-Length", Integer.toString(length))
                .build();
        return signer.sign(r -> r.identity(identity).request(unsigned)
                .payload(() -> new ByteArrayInputStream(body, 0, length))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "firehose")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, signingClock))
                .request();
    }

    /** Firehose's answer as the SDK would return it: the per-entry results, or its error as a {@link FirehoseException}. */
    static PutRecordBatchResponse read(HttpClientResponse response, Buffer answer) {
        byte[] bytes = answer.getBytes();
        int status = response.statusCode();
        if (status / 100 == 2) {
            try {
                return readResponse(bytes);
            } catch (IOException | RuntimeException e) {
                throw SdkClientException.create("unreadable PutRecordBatch response (HTTP " + status + ")", e);
            }
        }
        throw error(status, response.getHeader("x-amzn-ErrorType"), response.getHeader("Date"), bytes);
    }

    static PutRecordBatchResponse readResponse(byte[] bytes) throws IOException {
        PutRecordBatchResponse.Builder out = PutRecordBatchResponse.builder();
        List<PutRecordBatchResponseEntry> entries = new ArrayList<>(512);
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "FailedPutCount" -> out.failedPutCount(p.getIntValue());
                    case "Encrypted" -> out.encrypted(value == JsonToken.VALUE_TRUE);
                    case "RequestResponses" -> {
                        expect(value, JsonToken.START_ARRAY);
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            entries.add(entry(p));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        return out.requestResponses(entries).build();
    }

    /**
     * Every accepted entry. The sender reads only the error code and message of an entry; an accepted entry's RecordId
     * (about 60 characters) was a string, a builder and an entry per record, and is not read at all now.
     */
    static final PutRecordBatchResponseEntry ACCEPTED = PutRecordBatchResponseEntry.builder().build();

    private static PutRecordBatchResponseEntry entry(JsonParser p) throws IOException {
        String errorCode = null;
        String errorMessage = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "ErrorCode" -> errorCode = scalarText(p, value);
                case "ErrorMessage" -> errorMessage = scalarText(p, value);
                default -> p.skipChildren();
            }
        }
        return errorCode == null ? ACCEPTED : PutRecordBatchResponseEntry.builder().errorCode(errorCode).errorMessage(errorMessage).build();
    }

    private static String scalarText(JsonParser p, JsonToken value) throws IOException {
        if (value.isScalarValue()) {
            return value == JsonToken.VALUE_NULL ? null : p.getText();
        }
        p.skipChildren();
        return null;
    }

    /**
     * An error answer as the SDK's JSON protocol reads it: the code from the {@code x-amzn-ErrorType} header or the
     * body's {@code __type} (without a namespace before {@code #} or detail after {@code :}), the message from
     * {@code message} or {@code Message}.
     */
    static FirehoseException error(int status, String errorTypeHeader, String dateHeader, byte[] body) {
        String type = errorTypeHeader;
        String message = null;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                        if (type == null && "__type".equals(field)) {
                            type = p.getText();
                        } else if ("message".equalsIgnoreCase(field)) {
                            message = p.getText();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the status alone describes it
        }
        String code = type == null ? null : type.substring(type.indexOf('#') + 1).split(":", 2)[0];
        SdkHttpFullResponse.Builder answer = SdkHttpFullResponse.builder().statusCode(status);
        if (dateHeader != null) {
            answer.putHeader("Date", dateHeader);
        }
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Firehose")
                .sdkHttpResponse(answer.build()).build();
        return (FirehoseException) FirehoseException.builder().awsErrorDetails(details).statusCode(status)
                .message((message == null ? "HTTP " + status : message) + " (Service: Firehose, Status Code: " + status + ")").build();
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", found " + actual);
        }
    }

    /**
     * Request body arrays kept for reuse, at most one per connection. A 500-record body of 1 KB records is about 750 KB,
     * which G1 allocates as a "humongous" object (over half a 1 MiB region) straight in the old generation; one per call
     * set off a young and a concurrent collection every few calls (123 of each in a 1,000,000-record drain). Arrays are
     * reused when large enough; a larger body gets a new array, which then replaces a smaller one. Arrays over
     * {@link #KEEP_AT_MOST} bytes (large records) are not kept, so a burst of them leaves no memory pinned.
     */
    static final class BodyArrays {
        private final ConcurrentLinkedDeque<byte[]> free = new ConcurrentLinkedDeque<>();
        private final int keep;
        private final AtomicInteger kept = new AtomicInteger();

        BodyArrays(int keep) {
            this.keep = keep;
        }

        byte[] take(int size) {
            byte[] array;
            while ((array = free.pollFirst()) != null) {
                kept.decrementAndGet();
                if (array.length >= size) {
                    return array;
                }
            }
            // A little headroom, so bodies that vary slightly in size reuse the same arrays.
            return new byte[(int) Math.min(Integer.MAX_VALUE - 16, size + (size >> 4))];
        }

        /** Largest array kept: about twice a 500-record body of 1 KB records. */
        static final int KEEP_AT_MOST = 2 << 20;

        void give(byte[] array) {
            if (array.length > KEEP_AT_MOST) {
                return;
            }
            if (kept.incrementAndGet() <= keep) {
                free.addFirst(array);
            } else {
                kept.decrementAndGet();
            }
        }
    }

    /** Body arrays free for the next call; for tests. */
    int freeBodyArrays() {
        return bodies.kept.get();
    }

    /** Closes the HTTP client; the credentials provider is shared, and closed by whoever made it. */
    @Override
    public void close() {
        http.close();
    }
}
