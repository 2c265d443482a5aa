package io.firehosebridge.localfirehose;

import io.firehosebridge.localfirehose.api.LocalFirehoseServer;

import static io.firehosebridge.localfirehose.FirehoseTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.ElasticsearchDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ElasticsearchIndexRotationPeriod;
import software.amazon.awssdk.services.firehose.model.ElasticsearchS3BackupMode;
import software.amazon.awssdk.services.firehose.model.S3DestinationConfiguration;

/**
 * The seed's list / put / batch operations through clients nobody here wrote: boto3 running the seed's script
 * (only the endpoint changed) and the AWS CLI, signing with the stack's keys; with a wrong secret both are refused as AWS
 * refuses them (InvalidSignatureException). The test installs nothing: {@code .ci/run} installs both, and without
 * one the test fails with the command that installs it.
 */
@QuarkusTest
@TestProfile(LocalFirehoseTestProfile.class)
@WithTestResource(value = StackDestinations.class, scope = TestResourceScope.MATCHING_RESOURCES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IndependentClientsTest {

    @Inject
    LocalFirehoseServer server;

    @Inject
    LocalFirehose localFirehose;

    @TempDir
    Path home;

    private String index;

    /** The seed's stream is named "test"; it gets a unique index and bucket so runs never share documents. */
    @BeforeAll
    void seedStream() {
        index = unique("interest_service_click2");
        try (FirehoseClient firehose = firehose(server.port(), true)) {
            if (localFirehose.stream("test").isPresent()) {
                firehose.deleteDeliveryStream(b -> b.deliveryStreamName("test"));
                await().atMost(Duration.ofSeconds(10)).until(() -> localFirehose.stream("test").isEmpty());
            }
            firehose.createDeliveryStream(b -> b.deliveryStreamName("test").deliveryStreamType("DirectPut")
                    .elasticsearchDestinationConfiguration(ElasticsearchDestinationConfiguration.builder()
                            .roleARN(ROLE).domainARN("arn:aws:es:us-east-1:000000000000:domain/local")
                            .indexName(index).typeName("isc")
                            .indexRotationPeriod(ElasticsearchIndexRotationPeriod.NO_ROTATION)
                            .bufferingHints(h -> h.sizeInMBs(5).intervalInSeconds(1))
                            .s3BackupMode(ElasticsearchS3BackupMode.ALL_DOCUMENTS)
                            .s3Configuration(S3DestinationConfiguration.builder().roleARN(ROLE)
                                    .bucketARN("arn:aws:s3:::" + unique("seed-clients")).build())
                            .build()));
            awaitActive(firehose, "test");
        }
    }

    @Test
    void seedScriptListsPutsAndBatchesThroughBoto3() throws Exception {
        requireTool(List.of("python3", "-c", "import boto3"), "boto3 is not importable by python3", "python3-boto3");
        Path script = home.resolve("seed_firehose_test.py");
        try (InputStream in = getClass().getResourceAsStream("/localfirehose/seed_firehose_test.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        long before = count(search(), index);

        Result list = run(List.of("python3", script.toString(), "list"));
        Result put = run(List.of("python3", script.toString(), "put"));
        Result batch = run(List.of("python3", script.toString(), "batch"));

        assertThat(list.exit()).as(list.output()).isZero();
        assertThat(list.output()).contains("List Delivery Streams").contains("'test'").contains("'clicks'");
        assertThat(put.exit()).as(put.output()).isZero();
        assertThat(put.output()).contains("'RecordId'").contains("'Encrypted': False");
        assertThat(batch.exit()).as(batch.output()).isZero();
        assertThat(batch.output()).contains("'FailedPutCount': 0").contains("'RequestResponses'");
        try (RestClient search = search()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> count(search, index) == before + 4);
        }
    }

    @Test
    void awsCliListsAndPutsRecords() throws Exception {
        requireTool(List.of("aws", "--version"), "the AWS CLI is not on PATH", "awscli");
        String endpoint = "http://127.0.0.1:" + server.port();
        Result version = run(List.of("aws", "--version"));
        List<String> binaryFormat = version.output().startsWith("aws-cli/1") ? List.of() : List.of("--cli-binary-format", "raw-in-base64-out");

        Result list = run(List.of("aws", "firehose", "list-delivery-streams", "--delivery-stream-type", "DirectPut",
                "--limit", "10000", "--endpoint-url", endpoint));
        List<String> put = new ArrayList<>(List.of("aws", "firehose", "put-record", "--delivery-stream-name", "test",
                "--record", "{\"Data\":\"{\\\"event\\\":\\\"interest_service_click\\\",\\\"interest_id\\\":1201}\"}",
                "--endpoint-url", endpoint));
        put.addAll(binaryFormat);
        Result putResult = run(put);
        List<String> batch = new ArrayList<>(List.of("aws", "firehose", "put-record-batch", "--delivery-stream-name", "test",
                "--records", "[{\"Data\":\"{\\\"interest_id\\\":1101}\"},{\"Data\":\"{\\\"interest_id\\\":1301}\"}]",
                "--endpoint-url", endpoint));
        batch.addAll(binaryFormat);
        Result batchResult = run(batch);

        assertThat(list.exit()).as(list.output()).isZero();
        JsonNodeAssert.names(list.output()).contains("test", "clicks");
        assertThat(putResult.exit()).as(putResult.output()).isZero();
        assertThat(MAPPER.readTree(putResult.output()).get("RecordId").asText()).isNotBlank();
        assertThat(batchResult.exit()).as(batchResult.output()).isZero();
        assertThat(MAPPER.readTree(batchResult.output()).get("FailedPutCount").asInt()).isZero();
    }

    @Test
    void boto3WithAWrongSecretIsRefusedAsAwsRefusesIt() throws Exception {
        requireTool(List.of("python3", "-c", "import boto3"), "boto3 is not importable by python3", "python3-boto3");
        Path script = home.resolve("seed_firehose_test.py");
        try (InputStream in = getClass().getResourceAsStream("/localfirehose/seed_firehose_test.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }

        Result list = run(List.of("python3", script.toString(), "list"), WRONG_SECRET);

        assertThat(list.exit()).as(list.output()).isNotZero();
        assertThat(list.output()).contains("An error occurred (InvalidSignatureException) when calling the ListDeliveryStreams operation")
                .contains("The request signature we calculated does not match the signature you provided.");
    }

    @Test
    void awsCliWithAWrongSecretIsRefusedAsAwsRefusesIt() throws Exception {
        requireTool(List.of("aws", "--version"), "the AWS CLI is not on PATH", "awscli");

        Result list = run(List.of("aws", "firehose", "list-delivery-streams", "--endpoint-url", "http://127.0.0.1:" + server.port()),
                WRONG_SECRET);

        assertThat(list.exit()).as(list.output()).isNotZero();
        assertThat(list.output()).contains("An error occurred (InvalidSignatureException) when calling the ListDeliveryStreams operation");
    }

    /** Reads DeliveryStreamNames from CLI JSON output. */
    private static final class JsonNodeAssert {
        static org.assertj.core.api.ListAssert<String> names(String json) throws IOException {
            List<String> names = new ArrayList<>();
            MAPPER.readTree(json).get("DeliveryStreamNames").forEach(n -> names.add(n.asText()));
            return assertThat(names);
        }
    }

    private record Result(int exit, String output) {
    }

    /** The stack's key with a secret that is not its own. */
    private static final String WRONG_SECRET = "not-the-local-secret-key";

    private Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, SECRET_ACCESS_KEY);
    }

    /**
     * Runs a client with the stack's access key and the given secret in both profiles (the seed's script uses test_profile,
     * the CLI default). The region is the endpoint's: a signature scoped to another region is refused, as in AWS.
     */
    private Result run(List<String> command, String secretAccessKey) throws IOException, InterruptedException {
        Path credentials = home.resolve(secretAccessKey.equals(SECRET_ACCESS_KEY) ? "credentials" : "credentials-wrong-secret");
        if (!Files.exists(credentials)) {
            String key = "aws_access_key_id = " + ACCESS_KEY_ID + "\naws_secret_access_key = " + secretAccessKey + "\n";
            Files.writeString(credentials, "[test_profile]\n" + key + "[default]\n" + key);
            Files.writeString(home.resolve("config"), "[profile test_profile]\nregion = us-east-1\n[default]\nregion = us-east-1\n");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
        env.put("FIREHOSE_ENDPOINT_URL", "http://127.0.0.1:" + server.port());
        env.put("AWS_PAGER", "");
        // Nothing from this JVM's environment may choose other keys or another region than the files'.
        for (String name : List.of("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                "AWS_DEFAULT_REGION")) {
            env.remove(name);
        }
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, output + "\n(timed out)");
        }
        return new Result(process.exitValue(), output);
    }

    /** Fails the test, naming the Debian package that provides the tool, unless {@code probe} succeeds. */
    private void requireTool(List<String> probe, String missing, String debianPackage) throws InterruptedException {
        String output;
        try {
            Result result = run(probe);
            if (result.exit() == 0) {
                return;
            }
            output = result.output();
        } catch (IOException e) {
            output = e.getMessage();
        }
        throw new AssertionError(missing + " (" + String.join(" ", probe) + ": " + output.strip() + "). Install it with: apt-get install -y "
                + debianPackage + " (.ci/run does)");
    }
}
