package io.firehosebridge.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.firehosebridge.background.BackgroundWork;
import io.firehosebridge.background.TimedTask;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Whether the service reaches Kafka and is let in, with the shared {@code kafka.*} settings every client uses.
 * <p>
 * A wrong password, an untrusted broker certificate or an unreachable broker makes each Kafka client (the
 * channels, the ledger, the reconciliation reader) fail on every reconnect, each in its own words, about once a
 * second. Those repeats are kept out of the log ({@link KafkaConnectionLogFilter}); instead this probe (an admin
 * call every few seconds) logs one line naming the cause when it appears or changes, one when Kafka is reachable
 * again, and holds readiness DOWN meanwhile.
 */
@Readiness
@ApplicationScoped
public class KafkaConnection implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(KafkaConnection.class);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final String NOT_CHECKED = "not checked yet";
    private static final String NO_ANSWER = "no answer within";
    private static final String MSK_IAM = "AWS_MSK_IAM";

    @Inject
    KafkaClients clients;

    @Inject
    BackgroundWork background;

    @ConfigProperty(name = "mp.messaging.incoming.clicks.enabled", defaultValue = "true")
    boolean consuming;

    private volatile String problem = NOT_CHECKED;
    private TimedTask prober;
    private Admin admin;
    private boolean timedOutBefore;

    void start(@Observes StartupEvent event) {
        if (!consuming) {
            return;
        }
        prober = background.every("kafka-connection", Duration.ZERO, PROBE_EVERY, this::probe);
    }

    void stop(@Observes ShutdownEvent event) {
        if (prober != null) {
            prober.stopNow();
            closeAdmin();
        }
    }

    /** The current cause, or null while Kafka answers. */
    public String problem() {
        return problem;
    }

    void probe() {
        String cause;
        try {
            if (admin == null) {
                admin = clients.admin(Map.of("client.id", "kafka-connection-probe",
                        "request.timeout.ms", (int) PROBE_TIMEOUT.toMillis(), "default.api.timeout.ms", (int) PROBE_TIMEOUT.toMillis()));
            }
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis())).clusterId()
                    .get(PROBE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            cause = null;
        } catch (ExecutionException e) {
            cause = describe(e.getCause());
        } catch (TimeoutException e) {
            cause = describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            // A setting the client refuses (e.g. a truststore that cannot be read) fails while building it.
            cause = describe(e);
        }
        if (cause != null) {
            // A client that failed to log in keeps no usable connection; the next probe starts afresh.
            closeAdmin();
        }
        boolean timedOut = cause != null && cause.startsWith(NO_ANSWER);
        // A first TLS handshake and login in a cold JVM can outlast one probe: "unreachable" only when two in a row got no answer.
        if (timedOut && !timedOutBefore) {
            timedOutBefore = true;
            return;
        }
        timedOutBefore = timedOut;
        changeTo(cause);
    }

    /** Whether a Kafka client failed because it could not connect or log in (not because of what it asked). */
    public static boolean isConnectionFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof org.apache.kafka.common.errors.TimeoutException
                    || c instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void changeTo(String cause) {
        String before = problem;
        problem = cause;
        // The same refusal in other words only by its times or request ids (an MSK IAM login refused for the clock names
        // the signing time) is not a new cause.
        if (Objects.equals(withoutNumbers(before), withoutNumbers(cause))) {
            return;
        }
        if (cause != null) {
            LOG.errorf("Kafka at %s: %s. Not ready; nothing is consumed or committed until this is resolved", servers(), cause);
        } else if (!NOT_CHECKED.equals(before)) {
            LOG.infof("Kafka at %s answers again (before: %s)", servers(), before);
        }
    }

    /** One sentence naming the cause, from the exception a Kafka client raised. */
    String describe(Throwable t) {
        if (t instanceof SaslAuthenticationException) {
            String mechanism = clients.setting("sasl.mechanism", "GSSAPI");
            if (MSK_IAM.equals(mechanism)) {
                // The login is signed with whatever AWS credentials the default chain finds, at this host's time.
                return "login rejected (SASL " + MSK_IAM + ", signed with the AWS credentials of the default chain: AWS_ACCESS_KEY_ID/"
                        + "AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, web identity (IRSA), EKS Pod Identity, profile; or the role "
                        + "awsRoleArn in kafka.sasl.jaas.config; at this host's clock): " + t.getMessage();
            }
            return "login rejected (SASL " + mechanism + ", kafka.sasl.jaas.config): " + t.getMessage();
        }
        if (t instanceof SslAuthenticationException) {
            return "TLS handshake failed, the broker's certificate is not trusted or not valid for its address (kafka.ssl.truststore.*): "
                    + deepest(t);
        }
        if (t instanceof AuthenticationException) {
            return "authentication failed: " + deepest(t);
        }
        if (t instanceof TimeoutException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
            return NO_ANSWER + " " + PROBE_TIMEOUT.toSeconds() + " s; the brokers are unreachable or not speaking "
                    + clients.setting("security.protocol", "PLAINTEXT") + " on that address";
        }
        return "cannot connect: " + deepest(t);
    }

    private static String withoutNumbers(String cause) {
        return cause == null ? null : cause.replaceAll("[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", "#").replaceAll("[0-9]+", "#");
    }

    private static String deepest(Throwable t) {
        StringBuilder text = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable last = t;
        while (last.getCause() != null && last.getCause() != last) {
            last = last.getCause();
        }
        if (last != t && last.getMessage() != null) {
            text.append(": ").append(last.getMessage());
        }
        return text.toString();
    }

    private String servers() {
        return clients.bootstrapServers();
    }

    private void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ZERO);
            admin = null;
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("kafka").withData("bootstrapServers", servers());
        if (!consuming) {
            return builder.up().withData("checked", "no: the clicks channel is disabled").build();
        }
        String cause = problem;
        return cause == null ? builder.up().build() : builder.down().withData("error", cause).build();
    }
}
