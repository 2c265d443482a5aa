package io.firehosebridge.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where delivered records are looked for (the search indices and the S3 backup), and how the reconciliation API and ledger behave. */
@ConfigMapping(prefix = "bridge.reconcile")
public interface ReconcileConfig {

    /** Index pattern covering every rotated index of the delivery stream, e.g. {@code clicks*}. */
    @WithDefault("clicks*")
    String indexPattern();

    /** Whether to install an index template that maps the Kafka coordinate fields to exact types. */
    @WithDefault("true")
    boolean installIndexTemplate();

    /** Name of that index template. */
    @WithDefault("kafka-firehose-bridge-coordinates")
    String indexTemplateName();

    /** Bucket of the delivery stream's S3 backup. */
    @WithDefault("clicks-backup")
    String backupBucket();

    /** The stream's S3 Prefix as configured in Firehose, with any !{timestamp:...} and !{firehose:random-string} expressions; unset for Firehose's default layout. */
    Optional<String> backupPrefix();

    /** The stream's S3 ErrorOutputPrefix as configured in Firehose (may hold !{firehose:error-output-type}); unset: failed documents are looked for in failed-folders under the backup prefix. */
    Optional<String> errorOutputPrefix();

    /** Folders under the backup prefix where Firehose writes failed documents when the stream has no ErrorOutputPrefix (AWS sources name it differently). */
    @WithDefault("elasticsearch-failed/,AmazonOpenSearchService-failed/")
    List<String> failedFolders();

    /** How long after it was sent a record may still be on its way (buffer interval plus allowance); missing records younger than this are PENDING. */
    @WithDefault("10m")
    Duration deliveryWindow();

    /** How far a record's Kafka timestamp may lie after its arrival at Firehose (producer clock skew); widens the backup hours read. */
    @WithDefault("5m")
    Duration clockSkewAllowance();

    /** How long a record may wait in Kafka before it is sent (consumer lag); widens the backup hours read. */
    @WithDefault("1h")
    Duration lagAllowance();

    /** Most arrival hours one partition's backup scan may cover; a wider range must be split. */
    @WithDefault("744")
    int maxBackupHours();

    /** S3 objects whose summary (partitions and offset runs) is kept in memory, so they are not read again. */
    @WithDefault("200000")
    int objectCacheSize();

    /** Search page size: offsets per search request (one composite aggregation over that window of the range). */
    @WithDefault("10000")
    int searchPageSize();

    /** Search requests one check keeps in flight at a time (each for its own window of offsets). */
    @WithDefault("2")
    int searchParallelism();

    /** Missing ranges listed per side in a report (counts stay exact beyond it). */
    @WithDefault("1000")
    int maxListedRanges();

    /** Most duplicated offsets listed per side. */
    @WithDefault("10")
    int maxListedDuplicates();

    /** Shared bearer token of bridge.identity.mode=token (its holder is an operator); set alone, it selects that mode; never logged. */
    Optional<String> apiToken();

    /** The reconciliation HTTP API. */
    Api api();

    /** The delivery ledger and its verifier. */
    Ledger ledger();

    /** Reconciliation and re-drive jobs shared by every replica. */
    Jobs jobs();

    /** Duplicate repair: deleting the extra copies of duplicated offsets from the search index. */
    Repair repair();

    /** Limits and protection of the reconciliation HTTP API. */
    interface Api {

        /** Most offsets a synchronous GET may check; larger ranges go through an asynchronous job. */
        @WithDefault("1000000")
        long maxSyncOffsets();

        /** Most offsets per partition an asynchronous job may check. */
        @WithDefault("100000000")
        long maxJobOffsets();

        /** Most records one re-drive may send. */
        @WithDefault("100000")
        int maxRedriveRecords();

        /** Finished reconciliations each replica keeps in memory (for GET and re-drive by id); the job topic keeps them until its retention. */
        @WithDefault("100")
        int retainedJobs();

        /** Jobs that run at the same time in one replica. */
        @WithDefault("1")
        int jobThreads();
    }

    /** The delivery ledger: accepted offset spans in a compacted Kafka topic, checked once their window passed. */
    interface Ledger {

        /** Whether accepted spans are recorded and verified (only while the delivery pipeline runs). */
        @WithDefault("true")
        boolean enabled();

        /** Compacted topic holding the ledger; created when missing. */
        @WithDefault("kafka-firehose-bridge-ledger")
        String topic();

        /** Partitions of the ledger topic when it is created. */
        @WithDefault("6")
        int topicPartitions();

        /** Replication factor of the ledger topic when it is created; unset means the broker default. */
        Optional<Short> topicReplicationFactor();

        /** How long ledger entries are kept in the topic. */
        @WithDefault("7d")
        Duration retention();

        /** How often accepted spans are merged and written (the hot path only appends to memory). */
        @WithDefault("2s")
        Duration flushInterval();

        /** How often the verifier looks for spans whose delivery window has passed. */
        @WithDefault("30s")
        Duration verifyInterval();

        /** How often a span found incomplete is checked again (a re-drive may have fixed it). */
        @WithDefault("5m")
        Duration recheckInterval();

        /** Most offsets one verifier check covers (adjacent spans are checked together up to this). */
        @WithDefault("1000000")
        long maxOffsetsPerCheck();

        /** Confirmed spans older than this are dropped from memory (they stay in the topic until its retention). */
        @WithDefault("24h")
        Duration memoryRetention();
    }

    /** Jobs kept in a compacted Kafka topic, so any replica can show or cancel them and a dead replica's jobs are taken over. */
    interface Jobs {

        /** Whether this process keeps and runs reconciliation jobs (off where only the local Firehose endpoint runs). */
        @WithDefault("true")
        boolean enabled();

        /** Compacted topic holding job states and reports (one partition); created when missing. */
        @WithDefault("kafka-firehose-bridge-jobs")
        String topic();

        /** Replication factor of the job topic when it is created; unset means the broker default. */
        Optional<Short> topicReplicationFactor();

        /** How long job states and reports are kept in the topic. */
        @WithDefault("7d")
        Duration retention();

        /** How often the replica running a job writes its progress and heartbeat. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** A queued or running job whose owner wrote no heartbeat for this long is taken over by another replica. */
        @WithDefault("30s")
        Duration ownerTimeout();

        /** Replicas a job may lose (stopped heartbeating) and still be resumed; one more loss marks it FAILED with the reason. */
        @WithDefault("2")
        int maxLostOwners();
    }

    /** Duplicate repair: keeps one copy of every duplicated offset in the search index and deletes the others (never in the backup). */
    interface Repair {

        /** Whether the ledger verifier repairs the duplicates of every range it verifies (opt-in: it deletes documents). */
        @WithDefault("false")
        boolean verifier();

        /** Most copies a repair deletes per second, so that a large repair does not starve indexing. */
        @WithDefault("2000")
        int maxDeletesPerSecond();

        /** Copies deleted per bulk request. */
        @WithDefault("500")
        int bulkSize();

        /** Repaired offsets listed in a repair report, with the copy kept and the copies deleted (counts stay exact beyond it). */
        @WithDefault("50")
        int maxListedOffsets();
    }
}
