package io.firehosebridge.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.Topics;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import org.apache.http.HttpHost;

/**
 * The local stack's parts answer: Kafka round-trips, OpenSearch indexes and searches, S3 stores objects, and the local
 * Firehose, a part of its own (deploy/local/firehose), serves the delivery stream the service's local profile sends to.
 */
class LocalStackTest {

    @BeforeAll
    static void stack() {
        LocalStackResource.ensureStarted();
    }

    @Test
    void kafkaBrokerRoundTripsRecords() throws Exception {
        String topic = "stack-test-" + UUID.randomUUID();
        Map<String, Object> common = Map.of("bootstrap.servers", "127.0.0.1:9092");
        Topics.create(List.of(new NewTopic(topic, 2, (short) 1)));
        Properties producerProps = new Properties();
        producerProps.putAll(common);
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(common);
        consumerProps.put("group.id", "stack-test");
        consumerProps.put("auto.offset.reset", "earliest");
        List<String> seen = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(r.value());
                }
            }
        }
        assertThat(seen).hasSize(10).contains("v0", "v9");
    }

    @Test
    void openSearchIndexesAndSearches() throws Exception {
        String index = "stack-test-" + UUID.randomUUID();
        try (RestClient client = RestClient.builder(new HttpHost("127.0.0.1", 9200, "http")).build()) {
            Request put = new Request("PUT", "/" + index + "/_doc/1");
            put.addParameter("refresh", "true");
            put.setJsonEntity("{\"event\":\"interest_service_click\",\"interest_id\":1201}");
            client.performRequest(put);
            Request search = new Request("GET", "/" + index + "/_search");
            search.setJsonEntity("{\"query\":{\"term\":{\"interest_id\":1201}}}");
            String body = new String(client.performRequest(search).getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).contains("\"value\":1").contains("interest_service_click");
            client.performRequest(new Request("DELETE", "/" + index));
        }
    }

    @Test
    void s3StorePutsListsAndGets() {
        String bucket = "stack-test-" + UUID.randomUUID();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            s3.createBucket(b -> b.bucket(bucket));
            s3.putObject(b -> b.bucket(bucket).key("2019/04/30/06/test-1"), RequestBody.fromString("{\"a\":1}\n"));
            List<String> keys = s3.listObjectsV2(b -> b.bucket(bucket).prefix("2019/")).contents().stream().map(S3Object::key).toList();
            assertThat(keys).containsExactly("2019/04/30/06/test-1");
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("2019/04/30/06/test-1")).asUtf8String()).isEqualTo("{\"a\":1}\n");
            s3.deleteObject(b -> b.bucket(bucket).key("2019/04/30/06/test-1"));
            s3.deleteBucket(b -> b.bucket(bucket));
        }
    }

    @Test
    void localFirehoseRunsAsAStackPart() throws Exception {
        try (FirehoseClient firehose = FirehoseClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:4573"))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key", "local-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            assertThat(firehose.describeDeliveryStream(b -> b.deliveryStreamName("clicks")).deliveryStreamDescription()
                    .deliveryStreamStatus()).isEqualTo(DeliveryStreamStatus.ACTIVE);
        }
        Process status = new ProcessBuilder("deploy/local/stack", "status", "firehose").redirectErrorStream(true).start();
        String line = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(status.waitFor()).as(line).isZero();
        assertThat(line).startsWith("firehose").contains("http://127.0.0.1:4573").contains("healthy");
    }
}
