package io.firehosebridge.reconcile.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BackupLineParserTest {

    private final BackupLineParser parser = new BackupLineParser("kafka");

    private static String record(String topic, int partition, long offset) {
        return "{\"event\":\"interest_service_click\",\"nested\":{\"kafka\":1},\"kafka\":{\"topic\":\"" + topic + "\",\"partition\":" + partition
                + ",\"offset\":" + offset + ",\"timestamp\":1700000000000}}\n";
    }

    private ObjectSummary parse(byte[] content) throws Exception {
        ObjectSummary.Builder builder = new ObjectSummary.Builder();
        parser.parse(new ByteArrayInputStream(content), builder);
        return builder.build("etag");
    }

    @Test
    void foldsRecordLinesIntoOffsetRunsPerPartition() throws Exception {
        StringBuilder object = new StringBuilder();
        for (long o = 10; o < 15; o++) {
            object.append(record("clicks", 0, o)).append(record("clicks", 1, o + 100));
        }
        object.append(record("clicks", 0, 20));
        ObjectSummary s = parse(object.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(s.runs().get(new TopicPartition("clicks", 0))).containsExactly(10, 14, 20, 20);
        assertThat(s.runs().get(new TopicPartition("clicks", 1))).containsExactly(110, 114);
        assertThat(s.lines()).isEqualTo(11);
        assertThat(s.unreadable()).isZero();
    }

    @Test
    void keepsADuplicateInsideOneObjectCountable() throws Exception {
        String object = record("t", 0, 1) + record("t", 0, 2) + record("t", 0, 2) + record("t", 0, 3);
        ObjectSummary s = parse(object.getBytes(StandardCharsets.UTF_8));
        long[] runs = s.runs().get(new TopicPartition("t", 0));
        assertThat(runs).containsExactly(1, 2, 2, 3);
        OffsetTally tally = new OffsetTally(0, 5);
        for (int i = 0; i < runs.length; i += 2) {
            tally.addRange(runs[i], runs[i + 1]);
        }
        assertThat(tally.extraCopies()).isEqualTo(1);
        assertThat(tally.missing(10)).containsExactly(new OffsetRange(0, 0), new OffsetRange(4, 4));
    }

    @Test
    void decodesFailedDocumentEnvelopesWithTheRecordedError() throws Exception {
        String envelope = "{\"attemptsMade\":3,\"arrivalTimestamp\":1700000000000,\"errorCode\":\"400\",\"errorMessage\":\"mapper_parsing_exception\","
                + "\"attemptEndingTimestamp\":1700000001000,\"esDocumentId\":\"x\",\"esIndexName\":\"clicks\",\"esTypeName\":\"\",\"rawData\":\""
                + Base64.getEncoder().encodeToString(record("clicks", 2, 42).getBytes(StandardCharsets.UTF_8)) + "\"}\n";
        String next = envelope.replace(Base64.getEncoder().encodeToString(record("clicks", 2, 42).getBytes(StandardCharsets.UTF_8)),
                Base64.getEncoder().encodeToString(record("clicks", 2, 43).getBytes(StandardCharsets.UTF_8)));
        ObjectSummary s = parse((envelope + next).getBytes(StandardCharsets.UTF_8));
        assertThat(s.failed().get(new TopicPartition("clicks", 2)))
                .containsExactly(new ObjectSummary.FailedRun(42, 43, "400", "mapper_parsing_exception"));
        assertThat(s.runs()).isEmpty();

        FailedInSearch failed = new FailedInSearch(40, 50);
        s.failed().get(new TopicPartition("clicks", 2)).forEach(f -> failed.add(f.first(), f.last(), f.errorCode(), f.errorMessage()));
        assertThat(failed.count()).isEqualTo(2);
        assertThat(failed.ranges(10)).containsExactly(new OffsetRange(42, 43));
        assertThat(failed.errors()).containsExactly(new PartitionReport.FailedError("400", "mapper_parsing_exception", 42, 2));
    }

    @Test
    void readsGzipObjectsRegardlessOfTheKey() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            for (long o = 0; o < 1000; o++) {
                out.write(record("clicks", 3, o).getBytes(StandardCharsets.UTF_8));
            }
        }
        ObjectSummary s = parse(gz.toByteArray());
        assertThat(s.runs().get(new TopicPartition("clicks", 3))).containsExactly(0, 999);
        assertThat(s.lines(new TopicPartition("clicks", 3))).isEqualTo(1000);
    }

    @Test
    void readsEveryMemberOfAConcatenatedGzipObject() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        for (long start = 0; start < 300; start += 100) {
            ByteArrayOutputStream member = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(member)) {
                for (long o = start; o < start + 100; o++) {
                    out.write(record("clicks", 1, o).getBytes(StandardCharsets.UTF_8));
                }
            }
            gz.write(member.toByteArray());
        }
        ObjectSummary s = parse(gz.toByteArray());
        assertThat(s.runs().get(new TopicPartition("clicks", 1))).containsExactly(0, 299);
    }

    @Test
    void readsAnUncompressedObjectWhateverItsName() throws Exception {
        ObjectSummary s = parse((record("clicks", 2, 7) + record("clicks", 2, 8)).getBytes(StandardCharsets.UTF_8));
        assertThat(s.runs().get(new TopicPartition("clicks", 2))).containsExactly(7, 8);
    }

    @Test
    void countsBrokenAndForeignLinesAsUnreadable() throws Exception {
        String object = "not json\n[1,2]\n{\"kafka\":{\"topic\":\"t\"}}\n{\"rawData\":\"%%%\"}\n\n" + record("t", 0, 5);
        ObjectSummary s = parse(object.getBytes(StandardCharsets.UTF_8));
        assertThat(s.unreadable()).isEqualTo(4);
        assertThat(s.runs().get(new TopicPartition("t", 0))).containsExactly(5, 5);
    }

    @Test
    void listsEveryArrivalHourWithItsFailedFolders() {
        List<String> prefixes = BackupHours.prefixes("", List.of("elasticsearch-failed/", "AmazonOpenSearchService-failed"),
                java.time.Instant.parse("2026-01-31T22:55:00Z"), java.time.Instant.parse("2026-02-01T00:05:00Z"));
        assertThat(prefixes).containsExactly(
                "2026/01/31/22/", "elasticsearch-failed/2026/01/31/22/", "AmazonOpenSearchService-failed/2026/01/31/22/",
                "2026/01/31/23/", "elasticsearch-failed/2026/01/31/23/", "AmazonOpenSearchService-failed/2026/01/31/23/",
                "2026/02/01/00/", "elasticsearch-failed/2026/02/01/00/", "AmazonOpenSearchService-failed/2026/02/01/00/");
    }

    @Test
    void putsTheStreamPrefixBeforeTheHour() {
        assertThat(BackupHours.prefixes("clicks/", List.of(), java.time.Instant.parse("2026-03-01T05:00:00Z"),
                java.time.Instant.parse("2026-03-01T05:59:59Z"))).containsExactly("clicks/2026/03/01/05/");
        assertThat(BackupHours.hourCount(java.time.Instant.parse("2026-03-01T05:59:59Z"), java.time.Instant.parse("2026-03-02T05:00:00Z")))
                .isEqualTo(25);
    }
}
