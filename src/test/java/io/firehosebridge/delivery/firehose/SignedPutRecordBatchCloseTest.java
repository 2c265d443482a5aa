package io.firehosebridge.delivery.firehose;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** The signed PutRecordBatch shares the service's one credentials provider: closing it leaves the provider to its owner. */
class SignedPutRecordBatchCloseTest {

    /** A provider that, like the default chain's, holds a refresh thread and is closeable. */
    private static final class ClosableCredentials implements AwsCredentialsProvider, SdkAutoCloseable {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public AwsCredentials resolveCredentials() {
            return AwsBasicCredentials.create("AKID", "secret");
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void closingLeavesTheSharedCredentialsProviderOpen() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            ClosableCredentials credentials = new ClosableCredentials();
            new SignedPutRecordBatch(vertx, URI.create("http://127.0.0.1:1"), credentials, "us-east-1", Duration.ofSeconds(1), 1).close();
            assertThat(credentials.closed).isFalse();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
