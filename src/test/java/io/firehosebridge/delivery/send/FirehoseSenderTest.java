package io.firehosebridge.delivery.send;

import io.firehosebridge.delivery.batch.PendingRecord;
import io.firehosebridge.aws.CredentialsUnavailableException;
import io.firehosebridge.delivery.firehose.PutRecordBatchBody;
import io.firehosebridge.delivery.firehose.PutRecordBatchCall;
import io.firehosebridge.delivery.observe.DeliveryMetrics;
import io.firehosebridge.delivery.settle.DeadLetterWriter;
import io.firehosebridge.delivery.batch.Settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.firehosebridge.ingest.DeadLetterReason;
import io.firehosebridge.ingest.KafkaCoordinates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;

/** The sender's logic against a scripted PutRecordBatch call (a stand-in for unit-testing only). */
class FirehoseSenderTest {

    /** Answers each PutRecordBatch with the script's response and remembers what was sent. */
    static final class ScriptedFirehose implements PutRecordBatchCall {
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final Function<List<String>, CompletableFuture<PutRecordBatchResponse>> script;

        ScriptedFirehose(Function<List<String>, CompletableFuture<PutRecordBatchResponse>> script) {
            this.script = script;
        }

        @Override
        public CompletableFuture<PutRecordBatchResponse> send(String deliveryStream, List<PendingRecord> records) {
            // What goes on the wire: the body written for these records.
            byte[] body = PutRecordBatchBody.write(deliveryStream, records);
            List<String> data = new ArrayList<>();
            try {
                new ObjectMapper().readTree(body).path("Records")
                        .forEach(r -> data.add(new String(Base64.getDecoder().decode(r.path("Data").asText()), StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            calls.add(data);
            return script.apply(data);
        }
    }

    private final List<String> acked = new CopyOnWriteArrayList<>();
    private final List<Message<byte[]>> deadLetters = new CopyOnWriteArrayList<>();

    private PendingRecord record(int i) {
        String data = "r" + i;
        return new PendingRecord(new KafkaCoordinates("clicks", 0, i, 0), null, data.getBytes(StandardCharsets.UTF_8), null, null,
                Settlement.of(Message.of(data, () -> {
                    acked.add(data);
                    return CompletableFuture.completedFuture(null);
                })));
    }

    private final AdaptiveConcurrency concurrency = new AdaptiveConcurrency(8, 64, 1000, 0.9, System::nanoTime, n -> {
    });

    private FirehoseSender sender(PutRecordBatchCall client, Duration maxRetry) {
        return sender(client, maxRetry, Double.POSITIVE_INFINITY);
    }

    private FirehoseSender sender(PutRecordBatchCall client, Duration maxRetry, double maxRate) {
        return sender(client, maxRetry, maxRate, Duration.ofMillis(5));
    }

    private FirehoseSender sender(PutRecordBatchCall client, Duration maxRetry, double maxRate, Duration backoff) {
        AdaptiveRateLimiter rate = new AdaptiveRateLimiter(maxRate, 10, 0.8, 0.05, Duration.ofMillis(500), System::nanoTime);
        DeliveryMetrics metrics = new DeliveryMetrics(new SimpleMeterRegistry(), "clicks", () -> 0, 1 << 20, () -> 0, concurrency::limit, rate::currentRate);
        DeadLetterWriter writer = new DeadLetterWriter(m -> {
            deadLetters.add(m);
            return Uni.createFrom().voidItem();
        }, metrics, Duration.ofSeconds(1));
        RetryPolicy retry = new RetryPolicy(backoff, backoff.multipliedBy(4), maxRetry, () -> 0.5);
        return new FirehoseSender(client, "clicks", retry, rate, concurrency, writer, metrics, java.util.List.of());
    }

    private static PutRecordBatchResponse respond(List<String> data, java.util.function.Predicate<String> fails, String code) {
        List<PutRecordBatchResponseEntry> entries = new ArrayList<>();
        int failed = 0;
        for (String d : data) {
            if (fails.test(d)) {
                failed++;
                entries.add(PutRecordBatchResponseEntry.builder().errorCode(code).errorMessage("Slow down.").build());
            } else {
                entries.add(PutRecordBatchResponseEntry.builder().recordId("id-" + d).build());
            }
        }
        return PutRecordBatchResponse.builder().failedPutCount(failed).requestResponses(entries).build();
    }

    private List<PendingRecord> batch(int n) {
        List<PendingRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(record(i));
        }
        return records;
    }

    @Test
    void resendsOnlyFailedEntriesMatchedByIndex() {
        AtomicInteger call = new AtomicInteger();
        ScriptedFirehose firehose = new ScriptedFirehose(data -> CompletableFuture.completedFuture(
                call.getAndIncrement() == 0
                        ? respond(data, d -> d.equals("r1") || d.equals("r3"), "ServiceUnavailableException")
                        : respond(data, d -> false, null)));
        sender(firehose, Duration.ofSeconds(10)).deliver(batch(5), false).await().atMost(Duration.ofSeconds(5));
        assertThat(firehose.calls).containsExactly(List.of("r0", "r1", "r2", "r3", "r4"), List.of("r1", "r3"));
        assertThat(acked).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4");
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void pacesABatchAsSmallerCallsWhenQuotaBound() {
        ScriptedFirehose firehose = new ScriptedFirehose(data -> CompletableFuture.completedFuture(respond(data, d -> false, null)));
        // 1,000 records/s: at most 50 records per call (a twentieth of a second), in order, all acknowledged.
        sender(firehose, Duration.ofSeconds(10), 1_000).deliver(batch(120), false).await().atMost(Duration.ofSeconds(5));
        assertThat(firehose.calls).extracting(List::size).containsExactly(50, 50, 20);
        assertThat(firehose.calls.get(1).get(0)).isEqualTo("r50");
        assertThat(acked).hasSize(120);
    }

    @Test
    void retriesWholeCallFailuresUntilAccepted() {
        AtomicInteger call = new AtomicInteger();
        ScriptedFirehose firehose = new ScriptedFirehose(data -> call.getAndIncrement() < 2
                ? CompletableFuture.failedFuture(FirehoseException.builder().statusCode(503)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServiceUnavailableException").errorMessage("down").build()).build())
                : CompletableFuture.completedFuture(respond(data, d -> false, null)));
        sender(firehose, Duration.ofSeconds(10)).deliver(batch(3), false).await().atMost(Duration.ofSeconds(5));
        assertThat(firehose.calls).hasSize(3).allSatisfy(c -> assertThat(c).containsExactly("r0", "r1", "r2"));
        assertThat(acked).containsExactlyInAnyOrder("r0", "r1", "r2");
    }

    @Test
    void deadLettersWhatStillFailsWhenRetryTimeRunsOut() {
        ScriptedFirehose firehose = new ScriptedFirehose(data -> CompletableFuture.completedFuture(
                respond(data, d -> d.equals("r2"), "InternalFailure")));
        sender(firehose, Duration.ofMillis(100)).deliver(batch(4), false).await().atMost(Duration.ofSeconds(5));
        assertThat(firehose.calls.size()).isGreaterThan(2);
        assertThat(firehose.calls.subList(1, firehose.calls.size())).allSatisfy(c -> assertThat(c).containsExactly("r2"));
        assertThat(deadLetters).singleElement().satisfies(m -> {
            assertThat(new String(m.getPayload(), StandardCharsets.UTF_8)).isEqualTo("r2");
            OutgoingKafkaRecordMetadata<?> meta = m.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
            assertThat(new String(meta.getHeaders().lastHeader(DeadLetterWriter.REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED.headerValue());
            assertThat(new String(meta.getHeaders().lastHeader(DeadLetterWriter.OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("2");
        });
        // Acknowledged: the four records, r2 only after its dead letter was written.
        assertThat(acked).containsExactlyInAnyOrder("r0", "r1", "r3", "r2");
    }

    @Test
    void holdsTheRecordsPastTheRetryTimeWhileAwsRefusesTheCaller() {
        // 100 ms of retry time; AWS refuses the key for 15 calls (at least 75 ms of backoff each after the first few), then
        // the key works again (rotated): nothing dead-lettered, nothing acknowledged before acceptance, all of it after.
        AtomicInteger call = new AtomicInteger();
        List<Integer> ackedBeforeAcceptance = new CopyOnWriteArrayList<>();
        ScriptedFirehose firehose = new ScriptedFirehose(data -> {
            if (call.getAndIncrement() < 15) {
                ackedBeforeAcceptance.add(acked.size());
                return CompletableFuture.failedFuture(FirehoseException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("UnrecognizedClientException")
                                .errorMessage("The security token included in the request is invalid.").build()).build());
            }
            return CompletableFuture.completedFuture(respond(data, d -> false, null));
        });
        sender(firehose, Duration.ofMillis(100), Double.POSITIVE_INFINITY, Duration.ofMillis(20))
                .deliver(batch(3), false).await().atMost(Duration.ofSeconds(10));
        assertThat(firehose.calls).hasSize(16);
        assertThat(ackedBeforeAcceptance).containsOnly(0);
        assertThat(deadLetters).isEmpty();
        assertThat(acked).containsExactlyInAnyOrder("r0", "r1", "r2");
    }

    @Test
    void holdsTheRecordsWhileCredentialsCannotBeHad() {
        AtomicInteger call = new AtomicInteger();
        ScriptedFirehose firehose = new ScriptedFirehose(data -> call.getAndIncrement() < 10
                ? CompletableFuture.failedFuture(new CredentialsUnavailableException(
                        new IllegalStateException("Unable to read the web identity token file /var/run/secrets/token")))
                : CompletableFuture.completedFuture(respond(data, d -> false, null)));
        sender(firehose, Duration.ofMillis(50), Double.POSITIVE_INFINITY, Duration.ofMillis(20))
                .deliver(batch(2), false).await().atMost(Duration.ofSeconds(10));
        assertThat(firehose.calls).hasSize(11);
        assertThat(deadLetters).isEmpty();
        assertThat(acked).containsExactlyInAnyOrder("r0", "r1");
    }

    @Test
    void throttlingBringsTheCallsInFlightDown() {
        ScriptedFirehose firehose = new ScriptedFirehose(data -> CompletableFuture.completedFuture(
                respond(data, d -> true, "ServiceUnavailableException")));
        int before = concurrency.limit();
        sender(firehose, Duration.ofMillis(50)).deliver(batch(3), false).await().atMost(Duration.ofSeconds(5));
        assertThat(concurrency.limit()).isLessThan(before);
    }

    /**
     * A retry scheduled before the application stopped (a dev-mode live reload) must not run after it. The first wait is
     * 1.5 s (a 2 s ceiling with the test's fixed jitter) and the first call is seen within 10 ms, so the stop falls inside the
     * wait: with a 150 ms wait and Awaitility's default 100 ms poll, a loaded machine let the retry's call happen before the
     * stop (4 of 7 runs at load 6 to 7).
     */
    @Test
    void runsNoRetryAfterItIsStopped() {
        ScriptedFirehose firehose = new ScriptedFirehose(data -> CompletableFuture.failedFuture(FirehoseException.builder().statusCode(503)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServiceUnavailableException").errorMessage("down").build()).build()));
        FirehoseSender sender = sender(firehose, Duration.ofSeconds(30), Double.POSITIVE_INFINITY, Duration.ofSeconds(2));
        io.smallrye.mutiny.helpers.test.UniAssertSubscriber<Integer> delivery = sender.deliver(batch(3), false).subscribe()
                .withSubscriber(io.smallrye.mutiny.helpers.test.UniAssertSubscriber.create());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> firehose.calls.size() == 1);
        sender.stop();
        // The backoff ends after the stop: the wait completes without another call, nothing settled.
        delivery.awaitItem(Duration.ofSeconds(10)).assertItem(0);
        assertThat(firehose.calls).hasSize(1);
        assertThat(acked).isEmpty();
        assertThat(deadLetters).isEmpty();
    }
}
