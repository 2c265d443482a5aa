package io.firehosebridge.search;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.jboss.logging.Logger;

/**
 * Ready only while the search cluster accepts the service's requests as the service authenticates them
 * ({@code bridge.search.auth}): reconciliation, repair, the coverage page and the ledger's checks all read or write there, and
 * a cluster that answers 401 or 403 to every one of them is a configuration to fix, not a passing outage. The check asks
 * {@code GET /} (what engine detection asks anyway) at most every 10 seconds. When the cluster starts refusing, one log
 * line says so with its answer and the setting; when it accepts again, one line says that. A cluster that cannot be reached
 * or answers another error does not make the service unready here: delivery does not need search, and the data of this
 * check says what happened. A stream without a search destination ({@code bridge.search.enabled=false}) is UP with a note,
 * and the cluster is never asked.
 */
@Readiness
@ApplicationScoped
public class SearchAccessHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(SearchAccessHealthCheck.class);
    private static final int MAX_MESSAGE = 300;

    @Inject
    RestClient search;

    @Inject
    SearchConfig config;

    /** How long an answer is reused: readiness is asked every few seconds by each probe, the cluster needs asking less often. */
    long cacheNanos = Duration.ofSeconds(10).toNanos();

    private volatile HealthCheckResponse cached;
    private volatile long cachedAt;
    private volatile boolean refused;

    /** What one look at the cluster found. */
    record Outcome(boolean refused, String detail) {
    }

    @Override
    public HealthCheckResponse call() {
        if (!config.enabled()) {
            return HealthCheckResponse.named("search-access").up().withData("result", "not checked: the delivery stream has no search "
                    + "destination (bridge.search.enabled=false)").build();
        }
        HealthCheckResponse last = cached;
        if (last != null && System.nanoTime() - cachedAt < cacheNanos) {
            return last;
        }
        Outcome outcome = ask();
        String auth = setting(config.auth());
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("search-access").withData("auth", auth)
                .withData("result", outcome.detail()).status(!outcome.refused());
        if (outcome.refused() && !refused) {
            LOG.errorf("The search cluster refuses the service's requests (%s): reconciliation, repair and the coverage page cannot "
                    + "work until it accepts them. Check bridge.search.auth (now %s)%s", outcome.detail(), auth, hint(config));
        } else if (!outcome.refused() && refused) {
            LOG.infof("The search cluster accepts the service's requests again (%s)", outcome.detail());
        }
        refused = outcome.refused();
        HealthCheckResponse response = builder.build();
        cached = response;
        cachedAt = System.nanoTime();
        return response;
    }

    private Outcome ask() {
        Request request = new Request("GET", "/");
        request.setOptions(RequestOptions.DEFAULT);
        try {
            Response response = search.performRequest(request);
            return new Outcome(false, "HTTP " + response.getStatusLine().getStatusCode());
        } catch (ResponseException e) {
            Response response = e.getResponse();
            return judge(response.getStatusLine().getStatusCode(), body(response));
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, "not reached: " + e);
        }
    }

    /** A refusal is 401 or 403: the cluster was reached and does not accept who the service says it is. */
    static Outcome judge(int status, String body) {
        String detail = "HTTP " + status + (body.isBlank() ? "" : ": " + body);
        return new Outcome(status == 401 || status == 403, detail);
    }

    /** What to look at next, for the way requests are authenticated now. */
    static String hint(SearchConfig config) {
        return switch (config.auth()) {
            case NONE -> "; a domain with an IAM access policy takes only signed requests (bridge.search.auth=aws-sigv4)";
            case BASIC -> "; quarkus.elasticsearch.username and password must be a user the cluster knows";
            case AWS_SIGV4 -> "; the service's AWS credentials (bridge.aws.*, or the role it runs as) must be allowed by the "
                    + "domain's access policy, signed for service " + config.awsService().signingName()
                    + " in region bridge.aws.region, within 5 minutes of AWS's clock";
        };
    }

    static String setting(SearchConfig.Auth auth) {
        return auth.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String body(Response response) {
        if (response.getEntity() == null) {
            return "";
        }
        try (InputStream in = response.getEntity().getContent()) {
            String text = new String(in.readNBytes(MAX_MESSAGE), StandardCharsets.UTF_8).strip();
            return text.replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "";
        }
    }
}
