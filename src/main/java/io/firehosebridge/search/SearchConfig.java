package io.firehosebridge.search;

import java.util.Locale;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the service proves who it is to the search cluster that reconciliation reads and repair writes to. The cluster's
 * address and Quarkus's own basic credentials stay in {@code quarkus.elasticsearch.*}.
 */
@ConfigMapping(prefix = "bridge.search")
public interface SearchConfig {

    /** Whether the delivery stream has a search destination; false for an S3-only (ExtendedS3) stream: reconciliation checks S3 alone and no search request is sent. */
    @WithDefault("true")
    boolean enabled();

    /** How every search request is authenticated: none, basic (quarkus.elasticsearch.username and password) or aws-sigv4 (signed with the service's AWS credentials). */
    @WithDefault("none")
    Auth auth();

    /** What aws-sigv4 signs for: es (an Amazon OpenSearch Service or Elasticsearch Service domain) or aoss (OpenSearch Serverless). */
    @WithDefault("es")
    AwsService awsService();

    /** The ways search requests are authenticated. */
    enum Auth {
        /** The service adds nothing; quarkus.elasticsearch.username and password, if set, still send basic credentials. */
        NONE,
        /** Basic credentials from quarkus.elasticsearch.username and password, both required. */
        BASIC,
        /** AWS Signature Version 4 with the service's credentials and region, for a domain or collection with an IAM access policy. */
        AWS_SIGV4
    }

    /** The AWS services a signature can be for. */
    enum AwsService {
        /** Amazon OpenSearch Service and the older Elasticsearch Service domains. */
        ES,
        /** Amazon OpenSearch Serverless collections. */
        AOSS;

        /** The name a signature's scope carries: {@code es} or {@code aoss}. */
        public String signingName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
