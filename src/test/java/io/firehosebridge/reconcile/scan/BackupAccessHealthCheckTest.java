package io.firehosebridge.reconcile.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.aws.AwsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.RoutingConfig;
import io.firehosebridge.route.Routes;
import io.firehosebridge.testing.LogCapture;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backup's readiness check against a real HTTP server answering the list call as S3 does: DOWN with the refusal in its
 * data while S3 refuses the service, one log line when that starts (naming the bucket and the settings) and one when it
 * ends; UP, with the answer in the data, for a bucket that does not exist (not a refusal of the service).
 */
class BackupAccessHealthCheckTest {

    private static final String ACCESS_DENIED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
            + "<Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
    private static final String NO_SUCH_BUCKET = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code>"
            + "<Message>The specified bucket does not exist</Message><BucketName>clicks-backup</BucketName></Error>";
    private static final String LISTED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Name>clicks-backup</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";

    /** Status and body of the next answers. */
    private final AtomicReference<Map.Entry<Integer, String>> answer = new AtomicReference<>(Map.entry(403, ACCESS_DENIED));
    private LogCapture log;
    private HttpServer store;
    private S3Client client;

    @BeforeEach
    void start() throws Exception {
        store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        store.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Map.Entry<Integer, String> next = answer.get();
            byte[] body = next.getValue().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(next.getKey(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        store.start();
        client = S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWRONG", "wrong-secret")))
                .endpointOverride(URI.create("http://127.0.0.1:" + store.getAddress().getPort())).build();
        log = LogCapture.of(BackupAccessHealthCheck.class);
    }

    @AfterEach
    void stop() {
        log.close();
        client.close();
        store.stop(0);
    }

    private BackupAccessHealthCheck check() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(RoutingConfig.class).withMapping(AwsConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("bridge.reconcile.backup-bucket", "clicks-backup",
                        "bridge.aws.credentials.access-key-id", "AKIDWRONG", "bridge.aws.credentials.secret-access-key", "wrong-secret"), "test", 100))
                .build();
        BackupAccessHealthCheck check = new BackupAccessHealthCheck();
        check.s3 = client;
        check.routes = Routes.of(config.getConfigMapping(RoutingConfig.class), new Route(Route.DEFAULT, "clicks", Optional.empty(), "clicks-backup",
                Optional.empty(), Optional.empty()), false, "clicks", false);
        check.aws = config.getConfigMapping(AwsConfig.class);
        check.cacheNanos = 0;
        return check;
    }

    @Test
    void isDownWhileS3RefusesTheServiceWithOneLineEachWay() {
        BackupAccessHealthCheck check = check();
        HealthCheckResponse refused = check.call();
        assertThat(refused.getName()).isEqualTo("backup-access");
        assertThat(refused.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(refused.getData().orElseThrow()).containsEntry("bucket", "clicks-backup").containsEntry("result", "AccessDenied: Access Denied");
        check.call();
        assertThat(log.records()).hasSize(1);
        assertThat(log.records().get(0).getLevel().getName()).isEqualTo("ERROR");
        assertThat(log.lines().get(0)).contains("backup bucket clicks-backup (AccessDenied: Access Denied)")
                .contains("bridge.aws.credentials.access-key-id (AKIDWRONG)").contains("s3:ListBucket").doesNotContain("wrong-secret");

        answer.set(Map.entry(200, LISTED));
        HealthCheckResponse ready = check.call();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(ready.getData().orElseThrow()).containsEntry("result", "listed");
        check.call();
        assertThat(log.records()).hasSize(2);
        assertThat(log.lines().get(1)).contains("lets the service read the backup bucket clicks-backup again");
    }

    @Test
    void aBucketThatDoesNotExistIsNoRefusalOfTheService() {
        answer.set(Map.entry(404, NO_SUCH_BUCKET));
        HealthCheckResponse missing = check().call();
        assertThat(missing.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(missing.getData().orElseThrow()).containsEntry("result", "NoSuchBucket: The specified bucket does not exist");
        assertThat(log.records()).isEmpty();
    }
}
