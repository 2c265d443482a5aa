package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;

/** Bad configuration stops the packaged service at startup with a message that names the setting. */
class InvalidSettingIT {

    @Test
    void refusesToStartWithABatchOverFirehosesLimitAndNamesTheSetting() throws Exception {
        assertThat(startupLog("bridge.delivery.max-batch-records", "600"))
                .contains("Invalid setting bridge.delivery.max-batch-records: must be 1..500 (Firehose's limit), was 600");
    }

    @Test
    void refusesToStartFromAStartPositionThatIsNoneOfItsFormsAndNamesTheSetting() throws Exception {
        assertThat(startupLog("bridge.ingest.start-position", "last-monday"))
                .contains("Invalid setting bridge.ingest.start-position: 'last-monday' is not earliest, latest, an ISO-8601 time");
    }

    @Test
    void refusesToStartWithTheChannelOutOfBatchModeAndNamesTheSetting() throws Exception {
        assertThat(startupLog("mp.messaging.incoming.clicks.batch", "false"))
                .contains("Invalid setting mp.messaging.incoming.clicks.batch: must be true");
    }

    @Test
    void refusesToStartWithAnAccessKeyIdWithoutItsSecretAndNamesBothSettings() throws Exception {
        // The local profile sets both; an empty value for its entry unsets the secret.
        assertThat(startupLog("%local.bridge.aws.credentials.secret-access-key", ""))
                .contains("bridge.aws.credentials.access-key-id and bridge.aws.credentials.secret-access-key must be set together");
    }

    @Test
    void refusesAProductionStartWithoutAnIdentitySettingAndNamesIt() throws Exception {
        // What the prod profile does (bridge.identity.required defaults to true there), on the local stack's settings.
        assertThat(startupLog("bridge.identity.required", "true"))
                .contains("Missing setting bridge.identity.mode: the reconciliation API and the coverage page would be open");
    }

    @Test
    void refusesModeOidcWithoutTheProvidersIssuerAndNamesIt() throws Exception {
        assertThat(startupLog("bridge.identity.mode", "oidc"))
                .contains("Invalid setting bridge.identity.mode: is oidc, but quarkus.oidc.auth-server-url (QUARKUS_OIDC_AUTH_SERVER_URL) is not set");
    }

    /** Starts the packaged service with one bad setting, expects it to exit, and returns its log. */
    private static String startupLog(String setting, String value) throws Exception {
        LocalStackResource.ensureStarted();
        Path log = Path.of("target", "invalid-setting.log");
        Files.deleteIfExists(log);
        ServiceProcess service = new ServiceProcess("invalid-setting", FreePorts.next(), Map.of("quarkus.profile", "local",
                setting, value,
                "mp.messaging.incoming.clicks.topic", "it-invalid-setting", "bridge.reconcile.ledger.enabled", "false"));
        try {
            assertThatThrownBy(service::start).hasMessageContaining("exited");
        } finally {
            service.stop();
        }
        return Files.readString(log);
    }
}
