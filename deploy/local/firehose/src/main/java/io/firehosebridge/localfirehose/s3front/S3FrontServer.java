package io.firehosebridge.localfirehose.s3front;

import io.firehosebridge.localfirehose.LocalFirehoseConfig;
import io.firehosebridge.localfirehose.StackClock;
import io.firehosebridge.localfirehose.auth.AuthCounts;
import io.firehosebridge.localfirehose.auth.CredentialStore;
import io.firehosebridge.localfirehose.destination.DeliverySigner;

import java.time.Clock;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/** Runs the {@link S3Front} when {@code local-firehose.s3-front.enabled}, in front of the store of {@code local-firehose.s3.*}. */
@ApplicationScoped
public class S3FrontServer {

    private static final Logger LOG = Logger.getLogger(S3FrontServer.class);

    private final LocalFirehoseConfig config;
    private final CredentialStore credentials;
    private final AuthCounts counts;
    private final Clock clock;
    private final Vertx vertx;
    private S3Front front;
    private volatile int port = -1;

    @Inject
    public S3FrontServer(LocalFirehoseConfig config, CredentialStore credentials, AuthCounts counts, StackClock clock, Vertx vertx) {
        this.config = config;
        this.credentials = credentials;
        this.counts = counts;
        this.clock = clock;
        this.vertx = vertx;
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws Exception {
        LocalFirehoseConfig.S3Front settings = config.s3Front();
        if (!settings.enabled()) {
            return;
        }
        LocalFirehoseConfig.S3 s3 = config.s3();
        front = new S3Front(vertx, credentials, config.region(), S3Front.ALLOWED_SKEW, clock, s3.endpoint(),
                DeliverySigner.forS3(s3.accessKeyId(), s3.secretAccessKey(), config.region()), counts);
        port = front.listen(settings.host(), settings.port());
        LOG.infof("S3 front listening on %s: SigV4 for service s3, region %s, the keys of the Firehose API and the local STS; passes to %s",
                url(), config.region(), s3.endpoint());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (front == null) {
            return;
        }
        try {
            front.close();
        } catch (Exception e) {
            LOG.warnf("S3 front did not close cleanly: %s", e.toString());
        }
        front = null;
        port = -1;
    }

    /** The port the front listens on, or -1 when it does not run. */
    public int port() {
        return port;
    }

    /** The front's base URL, e.g. {@code http://127.0.0.1:9001}; null when it does not run. */
    public String url() {
        return port < 0 ? null : "http://" + config.s3Front().host() + ":" + port;
    }
}
