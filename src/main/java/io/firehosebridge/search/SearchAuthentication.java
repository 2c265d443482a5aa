package io.firehosebridge.search;

import io.firehosebridge.search.SearchConfig.Auth;

import java.util.Locale;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.eclipse.microprofile.config.Config;
import org.elasticsearch.client.RestClientBuilder;
import org.jboss.logging.Logger;

import io.firehosebridge.aws.AwsClients;
import io.firehosebridge.aws.AwsClock;
import io.firehosebridge.aws.AwsConfig;
import io.quarkus.elasticsearch.restclient.lowlevel.ElasticsearchClientConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * How the search client proves who it is ({@code bridge.search.auth}), applied through Quarkus's hook for the low-level
 * client, so that every search request of the service (scans, repair, coverage, the ledger verifier, the index template,
 * the engine lookup) carries it. With aws-sigv4 every request is signed by a {@link SearchRequestSigner} with the
 * service's one AWS credentials provider and its region; basic is Quarkus's own, from quarkus.elasticsearch.username and
 * password. Settings that contradict each other stop the start, naming them.
 */
@ElasticsearchClientConfig
public class SearchAuthentication implements RestClientBuilder.HttpClientConfigCallback {

    private static final Logger LOG = Logger.getLogger(SearchAuthentication.class);

    static final String AUTH = "bridge.search.auth";
    static final String USERNAME = "quarkus.elasticsearch.username";
    static final String PASSWORD = "quarkus.elasticsearch.password";
    static final String API_KEY = "quarkus.elasticsearch.api-key";
    static final String REGION = "bridge.aws.region";

    @Inject
    SearchConfig config;

    @Inject
    AwsConfig aws;

    @Inject
    AwsCredentialsProvider credentials;

    @Inject
    AwsClock clock;

    @Inject
    Config allSettings;

    private boolean searchDestination() {
        return config.enabled();
    }

    /** The region requests are signed for; found at the start. */
    private volatile String signingRegion;

    void onStart(@Observes StartupEvent event) {
        if (!searchDestination()) {
            LOG.info("No search destination (bridge.search.enabled=false): the service sends no search request");
            return;
        }
        check();
        if (config.auth() == Auth.AWS_SIGV4) {
            LOG.infof("Search requests are signed (AWS SigV4, service %s, region %s)", config.awsService().signingName(), signingRegion());
        } else {
            LOG.infof("Search requests: %s=%s", AUTH, config.auth().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }

    @Override
    public HttpAsyncClientBuilder customizeHttpClient(HttpAsyncClientBuilder builder) {
        check();
        if (config.auth() == Auth.AWS_SIGV4) {
            SearchRequestSigner signer = new SearchRequestSigner(credentials, signingRegion(), config.awsService().signingName(), clock);
            builder.addInterceptorLast(signer);
            builder.addInterceptorLast(signer.clockFromRefusals());
        }
        return builder;
    }

    private void check() {
        check(config.auth(), isSet(USERNAME), isSet(PASSWORD), isSet(API_KEY));
    }

    private boolean isSet(String name) {
        return allSettings.getOptionalValue(name, String.class).filter(v -> !v.isBlank()).isPresent();
    }

    /**
     * Refuses settings that cannot work together. Pure logic: the settings are given.
     *
     * @throws ConfigurationException naming the settings
     */
    static void check(Auth auth, boolean username, boolean password, boolean apiKey) {
        switch (auth) {
            case BASIC -> {
                if (!username || !password) {
                    throw new ConfigurationException(AUTH + "=basic needs " + USERNAME + " and " + PASSWORD + " (QUARKUS_ELASTICSEARCH_USERNAME, "
                            + "QUARKUS_ELASTICSEARCH_PASSWORD); " + (username ? PASSWORD : password ? USERNAME : USERNAME + " and " + PASSWORD)
                            + " not set");
                }
            }
            case AWS_SIGV4 -> {
                if (username || password || apiKey) {
                    String set = username || password ? USERNAME + "/" + PASSWORD : API_KEY;
                    throw new ConfigurationException(AUTH + "=aws-sigv4 signs every search request with AWS credentials, and " + set
                            + " is set too: a signed request carries no other credentials. Unset " + set + ", or choose " + AUTH
                            + (username || password ? "=basic" : "=none"));
                }
            }
            case NONE -> {
                // Quarkus's own settings (basic credentials, an API key) apply as they always did.
            }
        }
    }

    private String signingRegion() {
        String known = signingRegion;
        if (known == null) {
            Region region = AwsClients.region(aws);
            if (region == null) {
                try {
                    region = DefaultAwsRegionProviderChain.builder().build().getRegion();
                } catch (SdkClientException e) {
                    throw new ConfigurationException(AUTH + "=aws-sigv4 signs for a region and none was found: set " + REGION
                            + " (BRIDGE_AWS_REGION) to the region of the search domain or collection");
                }
            }
            known = region.id();
            signingRegion = known;
        }
        return known;
    }
}
