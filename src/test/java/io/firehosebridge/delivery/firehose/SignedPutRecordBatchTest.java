package io.firehosebridge.delivery.firehose;

import io.firehosebridge.aws.CredentialsUnavailableException;
import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.delivery.batch.Settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.ingest.KafkaCoordinates;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * The direct PutRecordBatch call against the SDK client, both talking to one local HTTP server: the same request on the
 * wire (method, path, body bytes, the headers Firehose reads), a SigV4 signature a verifier accepts for exactly that
 * body, and every kind of answer read into the same results and errors as the SDK reads it.
 */
class SignedPutRecordBatchTest {

    /** The credentials {@link PutRecordBatchBodyTest#signature} verifies with. */
    private static final AwsBasicCredentials CREDENTIALS = AwsBasicCredentials.create("test-key", "test-secret");

    private static Vertx vertx;
    private static HttpServer server;
    /** One SDK client for the class: closing one takes its Netty event loops two seconds. */
    private static FirehoseAsyncClient sdkClient;
    private static volatile Captured last;
    private static volatile Answer answer;

    /** What the server received. */
    record Captured(String method, String path, Map<String, String> headers, byte[] body) {
    }

    /** What the server answers. */
    record Answer(int status, String errorTypeHeader, String body) {
    }

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            MultiMap received = request.headers();
            received.names().forEach(name -> headers.put(name, String.join(",", received.getAll(name))));
            last = new Captured(request.method().name(), request.uri(), headers, body.getBytes());
            Answer a = answer;
            var response = request.response().setStatusCode(a.status()).putHeader("Content-Type", "application/x-amz-json-1.1");
            if (a.errorTypeHeader() != null) {
                response.putHeader("x-amzn-ErrorType", a.errorTypeHeader());
            }
            response.end(a.body());
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        sdkClient = sdk();
    }

    @AfterAll
    static void stopServer() throws Exception {
        sdkClient.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    private static SignedPutRecordBatch direct() {
        return new SignedPutRecordBatch(vertx, endpoint(), StaticCredentialsProvider.create(CREDENTIALS), "us-east-1",
                Duration.ofSeconds(5), 4);
    }

    private static FirehoseAsyncClient sdk() {
        return FirehoseAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(CREDENTIALS))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    private static List<PendingRecord> records(int count, long seed) {
        Random random = new Random(seed);
        List<PendingRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[random.nextInt(1500)];
            random.nextBytes(data);
            records.add(new PendingRecord(new KafkaCoordinates("clicks", 0, i, 0), null, data, null, null, Settlement.NONE));
        }
        return records;
    }

    /** The request the SDK client sends (its own marshalling, no prebuilt body) and the one the direct call sends. */
    private static Captured[] bothRequests(List<PendingRecord> records) {
        answer = new Answer(200, null, "{\"FailedPutCount\":0,\"RequestResponses\":[]}");
        sdkClient.putRecordBatch(b -> b.deliveryStreamName("clicks")
                .records(records.stream().map(r -> Record.builder().data(SdkBytes.fromByteArray(r.data())).build()).toList())).join();
        Captured bySdk = last;
        try (SignedPutRecordBatch direct = direct()) {
            direct.send("clicks", records).toCompletableFuture().join();
        }
        return new Captured[] { bySdk, last };
    }

    @Test
    void sendsTheRequestTheSdkSends() {
        Captured[] both = bothRequests(records(500, 5));
        Captured bySdk = both[0];
        Captured direct = both[1];
        assertThat(direct.method()).isEqualTo(bySdk.method()).isEqualTo("POST");
        assertThat(direct.path()).isEqualTo(bySdk.path());
        assertThat(direct.body()).isEqualTo(bySdk.body());
        for (String header : List.of("Host", "Content-Type", "Content-Length", "X-Amz-Target")) {
            assertThat(direct.headers().get(header)).as(header).isNotNull().isEqualTo(bySdk.headers().get(header));
        }
        // Same key, day, region and service in the credential scope; the SDK signs a few headers of its own besides.
        assertThat(scope(direct)).isEqualTo(scope(bySdk)).contains("/us-east-1/firehose/aws4_request");
    }

    private static String scope(Captured c) {
        String authorization = c.headers().get("Authorization");
        return authorization.substring(authorization.indexOf("Credential="), authorization.indexOf(','));
    }

    @Test
    void signsExactlyTheBodySent() {
        Captured direct = bothRequests(records(50, 9))[1];
        String sent = direct.headers().get("Authorization");
        assertThat(verify(direct, direct.body())).isEqualTo(sent);
        // The verification can fail: over any other body, or with another secret, the signature differs.
        byte[] other = direct.body().clone();
        other[other.length - 3] ^= 1;
        assertThat(verify(direct, other)).isNotEqualTo(sent);
    }

    @Test
    void reusesABodyArrayWithoutSendingItsStaleBytes() {
        answer = new Answer(200, null, "{\"FailedPutCount\":0,\"RequestResponses\":[]}");
        List<PendingRecord> small = records(3, 21);
        try (SignedPutRecordBatch direct = new SignedPutRecordBatch(vertx, endpoint(), StaticCredentialsProvider.create(CREDENTIALS),
                "us-east-1", Duration.ofSeconds(5), 1)) {
            direct.send("clicks", records(200, 20)).toCompletableFuture().join();
            byte[] large = last.body();
            direct.send("clicks", small).toCompletableFuture().join();
            assertThat(large.length).isGreaterThan(last.body().length);
        }
        assertThat(last.body()).isEqualTo(PutRecordBatchBody.write("clicks", small));
        assertThat(last.headers().get("Content-Length")).isEqualTo(Integer.toString(last.body().length));
        assertThat(verify(last, last.body())).isEqualTo(last.headers().get("Authorization"));
    }

    /**
     * A call's body array is free again as soon as its body is written, while the call still waits for its answer (held
     * until the answer, a distant Firehose meant one array of about 750 KB per call in flight); the next call takes it
     * while the first is still unanswered, and both requests arrive whole.
     */
    @Test
    void freesItsBodyArrayOnceWrittenNotWhenAnswered() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        HttpServer holding = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            bodies.add(body.getBytes());
            held.add(request);
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (SignedPutRecordBatch direct = new SignedPutRecordBatch(vertx, URI.create("http://127.0.0.1:" + holding.actualPort()),
                StaticCredentialsProvider.create(CREDENTIALS), "us-east-1", Duration.ofSeconds(10), 4)) {
            List<PendingRecord> first = records(200, 31);
            CompletableFuture<PutRecordBatchResponse> unanswered = direct.send("clicks", first).toCompletableFuture();
            // The whole body reached the server; the array goes back when the write completes on the client's side.
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1 && direct.freeBodyArrays() == 1);
            assertThat(unanswered).isNotDone();

            List<PendingRecord> second = records(150, 32);
            CompletableFuture<PutRecordBatchResponse> next = direct.send("clicks", second).toCompletableFuture();
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
            assertThat(next).isNotDone();
            held.forEach(r -> vertx.runOnContext(v -> r.response().setStatusCode(200)
                    .end("{\"FailedPutCount\":0,\"RequestResponses\":[]}")));
            unanswered.get(10, TimeUnit.SECONDS);
            next.get(10, TimeUnit.SECONDS);
            // One array served both (the second body is smaller): a second array would be kept too, making two.
            assertThat(direct.freeBodyArrays()).isEqualTo(1);
            assertThat(bodies.get(0)).isEqualTo(PutRecordBatchBody.write("clicks", first));
            assertThat(bodies.get(1)).isEqualTo(PutRecordBatchBody.write("clicks", second));
        } finally {
            holding.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** What a SigV4 verifier computes for the received request (only the headers it names as signed) over {@code body}. */
    static String verify(Captured received, byte[] body) {
        String authorization = received.headers().get("Authorization");
        String signedHeaders = authorization.substring(authorization.indexOf("SignedHeaders=") + "SignedHeaders=".length());
        signedHeaders = signedHeaders.substring(0, signedHeaders.indexOf(','));
        String[] host = received.headers().get("Host").split(":");
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host(host[0])
                .port(Integer.parseInt(host[1])).encodedPath(received.path());
        for (String name : signedHeaders.split(";")) {
            if (!name.equals("host")) {
                request.putHeader(name, received.headers().get(name));
            }
        }
        return PutRecordBatchBodyTest.signature(request.build(), body);
    }

    @Test
    void readsPerEntryResultsAsTheSdkDoes() {
        answer = new Answer(200, null, "{\"Encrypted\":false,\"FailedPutCount\":2,\"RequestResponses\":[{\"RecordId\":\"a\"},"
                + "{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"},{\"RecordId\":\"c\",\"Extra\":{\"x\":[1]}},"
                + "{\"ErrorCode\":\"InternalFailure\",\"ErrorMessage\":null}]}");
        Outcome bySdk = viaSdk();
        Outcome direct = outcome(direct());
        assertThat(direct.response().failedPutCount()).isEqualTo(2);
        // What the sender reads of each entry, in order: its error code and message (RecordIds are not read).
        assertThat(direct.response().requestResponses()).hasSize(4);
        assertThat(direct.response().requestResponses().stream().map(PutRecordBatchResponseEntry::errorCode).toList())
                .isEqualTo(bySdk.response().requestResponses().stream().map(PutRecordBatchResponseEntry::errorCode).toList())
                .containsExactly(null, "ServiceUnavailableException", null, "InternalFailure");
        assertThat(direct.response().requestResponses().stream().map(e -> String.valueOf(e.errorMessage())).toList())
                .isEqualTo(bySdk.response().requestResponses().stream().map(e -> String.valueOf(e.errorMessage())).toList());
    }

    @Test
    void readsErrorAnswersAsTheSdkDoes() {
        List<Answer> answers = List.of(
                new Answer(400, null, "{\"__type\":\"InvalidArgumentException\",\"message\":\"Records size exceeds 4 MB\"}"),
                new Answer(400, null, "{\"__type\":\"com.amazonaws.firehose#ResourceNotFoundException\",\"Message\":\"no stream\"}"),
                new Answer(503, "ServiceUnavailableException:http://internal.amazon.com/", "{\"message\":\"Slow down.\"}"),
                new Answer(400, null, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"),
                new Answer(500, null, "not json"));
        for (Answer a : answers) {
            answer = a;
            Outcome bySdk = viaSdk();
            Outcome direct = outcome(direct());
            assertThat(bySdk.failure()).as("SDK, %s", a).isInstanceOf(AwsServiceException.class);
            assertThat(direct.failure()).as("direct, %s", a).isInstanceOf(FirehoseException.class);
            FirehoseException sdkError = (FirehoseException) bySdk.failure();
            FirehoseException directError = (FirehoseException) direct.failure();
            assertThat(directError.statusCode()).as("%s", a).isEqualTo(sdkError.statusCode()).isEqualTo(a.status());
            assertThat(directError.awsErrorDetails().errorCode()).as("%s", a).isEqualTo(sdkError.awsErrorDetails().errorCode());
            if (a.body().startsWith("{")) {
                assertThat(directError.awsErrorDetails().errorMessage()).as("%s", a).isEqualTo(sdkError.awsErrorDetails().errorMessage());
            }
        }
    }

    /**
     * Credentials that come only once the event loop has run other work, as when a provider fetches new ones from STS: they
     * are asked for on a worker thread, the event loop the call came from runs its timer meanwhile (which is what lets the
     * credentials come: asked for on the event loop, they never would), and the request is signed with what came.
     */
    @Test
    void waitsForSlowCredentialsOffTheEventLoop() throws Exception {
        AwsSessionCredentials session = AwsSessionCredentials.create("slow-key", "slow-secret", "slow-token");
        CompletableFuture<Boolean> askedOnEventLoop = new CompletableFuture<>();
        CompletableFuture<Long> timerAt = new CompletableFuture<>();
        CompletableFuture<Long> answeredAt = new CompletableFuture<>();
        AwsCredentialsProvider slow = () -> {
            askedOnEventLoop.complete(Context.isOnEventLoopThread());
            try {
                timerAt.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the event loop's timer never ran while the credentials were awaited", e);
            }
            answeredAt.complete(System.nanoTime());
            return session;
        };
        answer = new Answer(200, null, "{\"FailedPutCount\":0,\"RequestResponses\":[]}");
        try (SignedPutRecordBatch direct = new SignedPutRecordBatch(vertx, endpoint(), slow, "us-east-1", Duration.ofSeconds(5), 1)) {
            CompletableFuture<PutRecordBatchResponse> sent = sentFromAnEventLoop(direct,
                    () -> vertx.setTimer(20, id -> timerAt.complete(System.nanoTime())));
            assertThat(sent.get(10, TimeUnit.SECONDS).failedPutCount()).isZero();
            assertThat(askedOnEventLoop.get()).as("credentials asked for on an event-loop thread").isFalse();
            assertThat(timerAt.getNow(Long.MAX_VALUE)).as("the event loop ran its timer while the credentials were awaited")
                    .isLessThan(answeredAt.getNow(Long.MIN_VALUE));
            assertThat(last.headers().get("Authorization")).contains("Credential=slow-key/");
            assertThat(last.headers().get("X-Amz-Security-Token")).isEqualTo("slow-token");
        }
    }

    /** A provider that cannot supply credentials (STS unreachable) fails the call as a client error, which the sender retries. */
    @Test
    void failsAsAClientErrorWhenCredentialsCannotBeResolved() throws Exception {
        AwsCredentialsProvider failing = () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        };
        try (SignedPutRecordBatch direct = new SignedPutRecordBatch(vertx, endpoint(), failing, "us-east-1", Duration.ofSeconds(5), 1)) {
            CompletableFuture<PutRecordBatchResponse> sent = sentFromAnEventLoop(direct, () -> { });
            Throwable failure = catchFailure(sent);
            assertThat(failure).isInstanceOf(CredentialsUnavailableException.class).hasMessageContaining("could not resolve AWS credentials")
                    .hasMessageContaining("Unable to load credentials");
        }
    }

    /** One call with a small body, started on an event loop, then {@code alsoOnTheLoop} right after it on the same loop. */
    private static CompletableFuture<PutRecordBatchResponse> sentFromAnEventLoop(SignedPutRecordBatch call, Runnable alsoOnTheLoop) {
        CompletableFuture<PutRecordBatchResponse> sent = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            call.send("clicks", records(4, 1)).whenComplete((response, failure) -> {
                if (failure != null) {
                    sent.completeExceptionally(failure);
                } else {
                    sent.complete(response);
                }
            });
            alsoOnTheLoop.run();
        });
        return sent;
    }

    private static Throwable catchFailure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return unwrap.apply(e.getCause());
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void failsAsAClientErrorWhenNothingAnswers() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (SignedPutRecordBatch direct = new SignedPutRecordBatch(vertx, URI.create("http://127.0.0.1:" + closed),
                StaticCredentialsProvider.create(CREDENTIALS), "us-east-1", Duration.ofSeconds(5), 1)) {
            assertThat(outcome(direct).failure()).isInstanceOf(SdkClientException.class);
            // Nothing was written, and the array is free again.
            assertThat(direct.freeBodyArrays()).isEqualTo(1);
        }
    }

    /** The response or the failure of one call with a small body. */
    record Outcome(PutRecordBatchResponse response, Throwable failure) {
    }

    private static Outcome outcome(PutRecordBatchCall call) {
        CompletableFuture<PutRecordBatchResponse> f = call.send("clicks", records(4, 1))
                .toCompletableFuture();
        try {
            return new Outcome(f.get(10, TimeUnit.SECONDS), null);
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            return new Outcome(null, unwrap.apply(e.getCause()));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            if (call instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // test cleanup
                }
            }
        }
    }

    private static final Function<Throwable, Throwable> unwrap = t -> t instanceof CompletionException && t.getCause() != null
            ? t.getCause() : t;

    private static Outcome viaSdk() {
        return outcome(SdkPutRecordBatch.call(sdkClient));
    }
}
