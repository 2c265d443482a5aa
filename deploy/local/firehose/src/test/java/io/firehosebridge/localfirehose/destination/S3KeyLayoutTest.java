package io.firehosebridge.localfirehose.destination;

import io.firehosebridge.localfirehose.api.FirehoseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class S3KeyLayoutTest {

    private static final Instant ARRIVAL = Instant.parse("2019-04-30T06:26:00.123Z");

    @Test
    void defaultKeyIsHourFoldersThenStreamVersionTimeAndUuid() {
        UUID uuid = UUID.fromString("9c948a08-f91a-4ba2-922d-408623ea0ddf");
        String key = S3KeyLayout.objectKey(S3KeyLayout.evaluatePrefix(null, ARRIVAL, null), "test", "1", ARRIVAL, uuid, "");
        assertThat(key).isEqualTo("2019/04/30/06/test-1-2019-04-30-06-26-00-9c948a08-f91a-4ba2-922d-408623ea0ddf");
    }

    @Test
    void gzipObjectsGetTheGzExtension() {
        S3Settings gzip = new S3Settings("r", "arn:aws:s3:::b", null, null, 5, 300, "GZIP");
        assertThat(S3KeyLayout.objectKey("p/", "s", "3", ARRIVAL, UUID.randomUUID(), gzip.extension())).endsWith(".gz");
    }

    @Test
    void prefixWithoutTimestampGetsHourFoldersAppended() {
        assertThat(S3KeyLayout.evaluatePrefix("clicks/", ARRIVAL, null)).isEqualTo("clicks/2019/04/30/06/");
    }

    @Test
    void timestampExpressionReplacesTheDefaultFolders() {
        assertThat(S3KeyLayout.evaluatePrefix("year=!{timestamp:yyyy}/month=!{timestamp:MM}/", ARRIVAL, null))
                .isEqualTo("year=2019/month=04/");
    }

    @Test
    void randomStringIsElevenCharacters() {
        String prefix = S3KeyLayout.evaluatePrefix("!{firehose:random-string}/!{timestamp:yyyy}/", ARRIVAL, null);
        assertThat(prefix).matches("[a-z0-9]{11}/2019/");
    }

    @Test
    void errorOutputTypeIsFilledInErrorPrefixes() {
        assertThat(S3KeyLayout.evaluatePrefix("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/", ARRIVAL,
                "elasticsearch-failed")).isEqualTo("errors/elasticsearch-failed/2019/04/30/");
    }

    @Test
    void errorOutputTypeIsRejectedInTheMainPrefix() {
        assertThatThrownBy(() -> S3KeyLayout.validate("x/!{firehose:error-output-type}/", "e/"))
                .isInstanceOf(FirehoseException.class).hasMessageContaining("ErrorOutputPrefix");
    }

    @Test
    void expressionsInPrefixRequireAnErrorOutputPrefix() {
        assertThatThrownBy(() -> S3KeyLayout.validate("!{timestamp:yyyy}/", null))
                .isInstanceOf(FirehoseException.class).hasMessageContaining("ErrorOutputPrefix cannot be null or empty");
    }

    @Test
    void unknownNamespaceIsRejected() {
        assertThatThrownBy(() -> S3KeyLayout.validate("!{partitionKeyFromQuery:x}/", "e/"))
                .isInstanceOf(FirehoseException.class).extracting(e -> ((FirehoseException) e).type())
                .isEqualTo("InvalidArgumentException");
    }
}
