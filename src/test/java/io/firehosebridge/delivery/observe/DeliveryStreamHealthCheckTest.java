package io.firehosebridge.delivery.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.AwsConfig;
import io.firehosebridge.route.Route;
import io.firehosebridge.route.RoutingConfig;
import io.firehosebridge.route.Routes;
import io.firehosebridge.testing.LogCapture;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DescribeDeliveryStreamResponse;
import software.amazon.awssdk.services.firehose.model.FirehoseException;

/**
 * The delivery stream's readiness check against a real HTTP server answering DescribeDeliveryStream as Firehose does: DOWN
 * with the refusal in its data while AWS refuses the service, one log line when that starts (naming the settings) and one
 * when it ends, none for an answer about the stream itself.
 */
class DeliveryStreamHealthCheckTest {

    private static final String INVALID_TOKEN = "{\"__type\":\"UnrecognizedClientException\","
            + "\"message\":\"The security token included in the request is invalid.\"}";
    private static final String ACTIVE = "{\"DeliveryStreamDescription\":{\"DeliveryStreamName\":\"clicks\",\"DeliveryStreamStatus\":\"ACTIVE\","
            + "\"DeliveryStreamARN\":\"arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks\",\"Destinations\":[],\"HasMoreDestinations\":false,"
            + "\"VersionId\":\"1\"}}";
    private static final String NOT_FOUND = "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Firehose clicks under account 000000000000 not found.\"}";

    /** Status and body of the next answers. */
    private final AtomicReference<Map.Entry<Integer, String>> answer = new AtomicReference<>(Map.entry(400, INVALID_TOKEN));
    private final AwsClock awsClock = new AwsClock();
    private LogCapture log;
    private HttpServer firehose;
    private FirehoseAsyncClient client;

    @BeforeEach
    void start() throws Exception {
        firehose = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        firehose.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Map.Entry<Integer, String> next = answer.get();
            byte[] body = next.getValue().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(next.getKey(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        firehose.start();
        client = FirehoseAsyncClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWRONG", "wrong-secret")))
                .endpointOverride(URI.create("http://127.0.0.1:" + firehose.getAddress().getPort())).build();
        log = LogCapture.of(DeliveryStreamHealthCheck.class);
    }

    @AfterEach
    void stop() {
        log.close();
        client.close();
        firehose.stop(0);
    }

    private DeliveryStreamHealthCheck check() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(RoutingConfig.class).withMapping(AwsConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(Map.of("bridge.delivery.delivery-stream", "clicks",
                        "bridge.aws.credentials.access-key-id", "AKIDWRONG", "bridge.aws.credentials.secret-access-key", "wrong-secret"), "test", 100))
                .build();
        DeliveryStreamHealthCheck check = new DeliveryStreamHealthCheck();
        check.firehose = client;
        check.routes = Routes.of(config.getConfigMapping(RoutingConfig.class), new Route(Route.DEFAULT, "clicks", Optional.empty(), "clicks-backup",
                Optional.empty(), Optional.empty()), false, "clicks", false);
        check.aws = config.getConfigMapping(AwsConfig.class);
        check.clock = awsClock;
        check.cacheNanos = 0;
        return check;
    }

    @Test
    void isDownWhileAwsRefusesTheServiceWithOneLineEachWay() {
        DeliveryStreamHealthCheck check = check();
        HealthCheckResponse refused = check.call();
        assertThat(refused.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(refused.getData().orElseThrow()).containsEntry("refused",
                "UnrecognizedClientException: The security token included in the request is invalid.");
        check.call();
        check.call();
        assertThat(log.records()).hasSize(1);
        assertThat(log.records().get(0).getLevel().getName()).isEqualTo("ERROR");
        assertThat(log.lines().get(0)).contains("AWS refuses the service (UnrecognizedClientException")
                .contains("bridge.aws.credentials.access-key-id (AKIDWRONG)").contains("within 5 minutes").doesNotContain("wrong-secret");

        answer.set(Map.entry(200, ACTIVE));
        HealthCheckResponse ready = check.call();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(ready.getData().orElseThrow()).containsEntry("status", "ACTIVE").doesNotContainKey("refused");
        check.call();
        assertThat(log.records()).hasSize(2);
        assertThat(log.lines().get(1)).contains("AWS accepts the service again");
    }

    @Test
    void aNewCauseOfRefusalIsLoggedOnceMore() {
        DeliveryStreamHealthCheck check = check();
        check.call();
        answer.set(Map.entry(400, "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token included in the request is expired\"}"));
        check.call();
        check.call();

        assertThat(log.lines()).hasSize(2);
        assertThat(log.lines().get(0)).contains("(UnrecognizedClientException");
        assertThat(log.lines().get(1)).contains("(ExpiredTokenException: The security token included in the request is expired)");
    }

    /**
     * A signature refused for the node's clock, AWS's time 10 minutes ahead in the answer's Date: the SDK signs this call with
     * the node's clock, the delivery with AWS's (learned here too), so the service is not refused: UP, saying why the status
     * was not read, and no refusal line (AwsClock logs the offset). The refusal is made by hand as the SDK reads it: the JDK's
     * HTTP server writes its own Date over any a test sets.
     */
    @Test
    void aSignatureRefusedForTheNodesClockIsNoRefusalOfTheService() {
        String awsTime = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC)
                .format(Instant.now().plus(Duration.ofMinutes(10)));
        FirehoseException expired = (FirehoseException) FirehoseException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidSignatureException").serviceName("Firehose")
                        .errorMessage("Signature expired: 20261207T140000Z is now earlier than 20261207T140500Z (20261207T141000Z - 5 min.)")
                        .sdkHttpResponse(SdkHttpFullResponse.builder().statusCode(400).putHeader("Date", awsTime).build()).build())
                .build();
        DeliveryStreamHealthCheck check = check();
        check.firehose = new FirehoseAsyncClient() {
            @Override
            public CompletableFuture<DescribeDeliveryStreamResponse> describeDeliveryStream(DescribeDeliveryStreamRequest request) {
                return CompletableFuture.failedFuture(expired);
            }

            @Override
            public String serviceName() {
                return "firehose";
            }

            @Override
            public void close() {
            }
        };

        HealthCheckResponse skewed = check.call();

        assertThat(skewed.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(skewed.getData().orElseThrow().get("status").toString()).startsWith("not read: AWS refuses the node's clock (InvalidSignatureException");
        assertThat(awsClock.offset().getSeconds()).isBetween(595L, 605L);
        assertThat(log.records()).isEmpty();
    }

    @Test
    void anAnswerAboutTheStreamIsNoRefusalOfTheService() {
        answer.set(Map.entry(400, NOT_FOUND));
        HealthCheckResponse missing = check().call();
        assertThat(missing.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(missing.getData().orElseThrow()).doesNotContainKey("refused");
        assertThat(log.records()).isEmpty();
    }
}
