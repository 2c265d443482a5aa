package io.firehosebridge.localfirehose.stream;

import java.time.Instant;

/**
 * One accepted record waiting for delivery.
 *
 * @param data the decoded bytes exactly as the producer sent them
 * @param arrival when Firehose accepted it (drives index rotation and S3 key times)
 * @param documentId the id used on every delivery attempt (FIREHOSE_DEFAULT), stable across retries
 */
public record BufferedRecord(byte[] data, Instant arrival, String documentId) {
}
