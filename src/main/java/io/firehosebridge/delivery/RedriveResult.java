package io.firehosebridge.delivery;

/**
 * What a re-drive did.
 *
 * @param requested records read back from Kafka and offered to the delivery path
 * @param resent records Firehose accepted
 * @param invalid records skipped: not valid click events (they were dead-lettered the first time), or of a topic no route takes
 * @param deadLettered records Firehose kept refusing until the retry time ran out, now in the dead-letter topic
 */
public record RedriveResult(int requested, int resent, int invalid, int deadLettered) {
}
