package io.firehosebridge.localfirehose;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the local Firehose-compatible endpoint. */
@ConfigMapping(prefix = "local-firehose")
public interface LocalFirehoseConfig {

    /** Interface the endpoint binds to; loopback keeps it private to this host. */
    @WithDefault("127.0.0.1")
    String host();

    /** TCP port of the endpoint (AWS SDK endpointOverride http://host:port); 0 picks a free port. */
    @WithDefault("4573")
    int port();

    /** Region shown in delivery stream ARNs. */
    @WithDefault("us-east-1")
    String region();

    /** Twelve-digit account id shown in delivery stream ARNs. */
    @WithDefault("000000000000")
    String accountId();

    /** Base URL every DomainARN resolves to (a ClusterEndpoint is used as given). */
    @WithDefault("http://127.0.0.1:9200")
    String searchUrl();

    /** How long a created stream stays CREATING before it becomes ACTIVE. */
    @WithDefault("500ms")
    Duration creatingDelay();

    /** How long a graceful shutdown waits for buffered records to be delivered. */
    @WithDefault("30s")
    Duration shutdownFlushTimeout();

    /**
     * Largest body of one {@code _bulk} request; a delivery that is larger (a buffer that grew while an earlier delivery
     * was slow) is sent as several requests in order. A cluster rejects oversized requests (HTTP 413, or 429 from
     * OpenSearch's indexing pressure at 10% of the heap), and retrying them never succeeds.
     */
    @WithDefault("10485760")
    long maxBulkRequestBytes();

    /**
     * Most bytes a stream holds buffered and not yet taken for delivery; while a slow destination keeps it above this,
     * further records are answered as throttled ("Slow down."), so the sender retries them later. AWS keeps accepting
     * instead (it stores accepted records durably); a stand-in that kept everything in its heap ran out of memory and
     * lost the delivery it was building. The default is Firehose's largest size hint (128 MiB), so any buffer can still
     * fill to its own hint.
     */
    @WithDefault("134217728")
    long maxBufferedBytes();

    /** Folder for failed documents of an Elasticsearch destination when no ErrorOutputPrefix is set. */
    @WithDefault("elasticsearch-failed")
    String elasticsearchFailedFolder();

    /** Folder for failed documents of an OpenSearch Service destination when no ErrorOutputPrefix is set. */
    @WithDefault("AmazonOpenSearchService-failed")
    String opensearchFailedFolder();

    /** The local S3-compatible store every BucketARN maps to. */
    S3 s3();

    /** How callers of the Firehose API are authenticated. */
    Auth auth();

    /** Quotas and faults every stream starts with; changeable per stream at runtime. */
    Defaults defaults();

    /** A search domain's front door: SigV4-checked, then passed to the search engine at {@link #searchUrl()}. */
    SearchFront searchFront();

    /** A delivery stream that exists, ACTIVE, from startup. */
    DefaultStream defaultStream();

    /** A local AWS STS answering AssumeRoleWithWebIdentity, the call IRSA makes, with short-lived credentials. */
    Sts sts();

    /** An S3 store's front door: SigV4-checked as S3 checks it, then passed to the store at {@link S3#endpoint()}. */
    S3Front s3Front();

    /** Connection to the S3-compatible store. */
    interface S3 {

        /** Endpoint URL of the store (path-style addressing is used). */
        @WithDefault("http://127.0.0.1:9000")
        String endpoint();

        /** Access key id for the store; never logged. */
        @WithDefault("local-access-key")
        String accessKeyId();

        /** Secret access key for the store; never logged. */
        @WithDefault("local-secret-key")
        String secretAccessKey();
    }

    /**
     * AWS Signature Version 4 on every Firehose API call, checked as Firehose checks it. The key here is known from startup;
     * further keys, temporary ones included, are registered at runtime under {@code /_local/credentials}.
     */
    interface Auth {

        /** Whether every Firehose API call must be signed with a known key (false: any credentials, nothing checked). */
        @WithDefault("true")
        boolean verifySignatures();

        /** Access key id of the long-term key known from startup (the local stack's). */
        @WithDefault("local-access-key")
        String accessKeyId();

        /** Secret access key of that key; never logged. */
        @WithDefault("local-secret-key")
        String secretAccessKey();

        /** How far X-Amz-Date may be before or after this endpoint's clock (AWS allows 5 minutes). */
        @WithDefault("5m")
        Duration allowedSkew();
    }

    /**
     * An HTTP listener that stands for an Amazon OpenSearch Service domain whose access policy names an IAM role (or an
     * OpenSearch Serverless collection): a request signed with a key the endpoint knows (the same keys as the Firehose API)
     * goes to the engine at {@link #searchUrl()}, any other gets AWS's refusal.
     */
    interface SearchFront {

        /** Whether the front listens (off here; the local stack turns it on). */
        @WithDefault("false")
        boolean enabled();

        /** Interface the front binds to; loopback keeps it private to this host. */
        @WithDefault("127.0.0.1")
        String host();

        /** TCP port of the front; 0 picks a free port. */
        @WithDefault("9201")
        int port();

        /**
         * What the front stands for: {@code es}, a domain (signing service {@code es}), or {@code aoss}, a serverless
         * collection (signing service {@code aoss}, and {@code x-amz-content-sha256} required).
         */
        @WithDefault("es")
        String mode();

        /** Largest request body (AWS: 10 MiB on the smallest instance types, 100 MiB on larger ones); larger gets 413. */
        @WithDefault("10485760")
        long maxRequestBytes();

        /**
         * Whether deliveries to a DomainARN go through the front, signed with the key of {@code auth.*} for service
         * {@code es} as Firehose signs with its role (false: straight to {@link #searchUrl()}). A ClusterEndpoint is
         * used as given either way, and signed too when this is on.
         */
        @WithDefault("false")
        boolean deliverThroughFront();
    }

    /**
     * A local STS on a port of its own: {@code AssumeRoleWithWebIdentity} (AWS Query protocol, unsigned, as on AWS) with
     * this role and this token gets temporary credentials that every front here (the Firehose API, the search front, the
     * S3 front) accepts until they expire. The lifetime is changeable at runtime with {@code PUT /_local/sts}.
     */
    interface Sts {

        /** Whether the STS listens (off here; the local stack turns it on). */
        @WithDefault("false")
        boolean enabled();

        /** Interface the STS binds to; loopback keeps it private to this host. */
        @WithDefault("127.0.0.1")
        String host();

        /** TCP port of the STS (AWS_ENDPOINT_URL_STS http://host:port); 0 picks a free port. */
        @WithDefault("4574")
        int port();

        /** The one role that may be assumed; default {@code arn:aws:iam::<account-id>:role/kafka-firehose-bridge}. */
        Optional<String> roleArn();

        /**
         * The web identity token the STS accepts (the content of the token file it issued; a trailing newline is ignored);
         * never logged. Without one, every token is refused.
         */
        Optional<String> webIdentityToken();

        /** How long issued credentials last (AWS: 15 minutes to 12 hours; shorter here, so that tests see them renewed). */
        @WithDefault("60s")
        Duration credentialLifetime();
    }

    /**
     * An HTTP listener that stands for Amazon S3: a request signed for service {@code s3} with a key the endpoint knows
     * (the keys of the Firehose API and the STS's) goes to the store at {@link S3#endpoint()}, re-signed with the store's
     * key; any other gets S3's refusal.
     */
    interface S3Front {

        /** Whether the front listens (off here; the local stack turns it on). */
        @WithDefault("false")
        boolean enabled();

        /** Interface the front binds to; loopback keeps it private to this host. */
        @WithDefault("127.0.0.1")
        String host();

        /** TCP port of the front; 0 picks a free port. */
        @WithDefault("9001")
        int port();
    }

    /** Per-stream starting values for quotas and fault injection. */
    interface Defaults {

        /** Records per second per stream (AWS us-east-1 Direct PUT quota). */
        @WithDefault("500000")
        long recordsPerSecond();

        /** PutRecord/PutRecordBatch calls per second per stream. */
        @WithDefault("2000")
        long requestsPerSecond();

        /** MiB of record data per second per stream. */
        @WithDefault("5")
        double mibPerSecond();

        /** Share of records (0..1) that fail with InternalFailure in PutRecordBatch. */
        @WithDefault("0")
        double recordFailureRate();

        /** Latency added to every put call. */
        @WithDefault("0ms")
        Duration addedLatency();

        /** Whether accepted records are delivered to search and S3 (false: accept and discard). */
        @WithDefault("true")
        boolean deliveryEnabled();
    }

    /** The stream created at startup, with an OpenSearch destination and S3 backup. */
    interface DefaultStream {

        /** Whether the stream is created at startup. */
        @WithDefault("false")
        boolean enabled();

        /** Delivery stream name. */
        @WithDefault("clicks")
        String name();

        /** Search index name (before rotation). */
        @WithDefault("clicks")
        String index();

        /** Optional TypeName (only sent to clusters that support types). */
        Optional<String> typeName();

        /** IndexRotationPeriod: NoRotation, OneHour, OneDay, OneWeek or OneMonth. */
        @WithDefault("NoRotation")
        String rotation();

        /** Bucket of the S3 backup. */
        @WithDefault("clicks-backup")
        String backupBucket();

        /** S3BackupMode: AllDocuments or FailedDocumentsOnly. */
        @WithDefault("AllDocuments")
        String backupMode();

        /** BufferingHints.IntervalInSeconds (0..900). */
        @WithDefault("300")
        int bufferIntervalSeconds();

        /** BufferingHints.SizeInMBs (1..100). */
        @WithDefault("5")
        int bufferSizeMb();

        /** RetryOptions.DurationInSeconds (0..7200). */
        @WithDefault("300")
        int retryDurationSeconds();
    }
}
