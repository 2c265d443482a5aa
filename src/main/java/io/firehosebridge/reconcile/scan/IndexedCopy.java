package io.firehosebridge.reconcile.scan;

/**
 * One document of an offset as the search index holds it: where it is, the version a delete must name so
 * that it removes exactly this copy, and the Kafka coordinates its source carries (null when absent or not
 * of the right type).
 *
 * @param index the index holding it
 * @param type its mapping type on engines that still have them (Elasticsearch 6.x); null elsewhere
 * @param id its document id
 * @param seqNo its sequence number, when the engine returns one
 * @param primaryTerm its primary term, when the engine returns one
 * @param version its version (for engines without sequence numbers in search hits)
 * @param topic the topic its source names
 * @param partition the partition its source names
 * @param offset the offset its source names
 */
public record IndexedCopy(String index, String type, String id, Long seqNo, Long primaryTerm, Long version, String topic, Integer partition,
        Long offset) {
}
