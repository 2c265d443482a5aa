package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.ServiceProcess;

/** Bad configuration stops the packaged service at startup with a message that names the setting. */
class InvalidSettingIT {

    @Test
    void refusesToStartWithABatchOverFirehosesLimitAndNamesTheSetting() throws Exception {
        LocalStackResource.ensureStarted();
        Path log = Path.of("target", "invalid-setting.log");
        Files.deleteIfExists(log);
        ServiceProcess service = new ServiceProcess("invalid-setting", 8098, Map.of("quarkus.profile", "local",
                "local-firehose.enabled", "false", "bridge.delivery.max-batch-records", "600",
                "mp.messaging.incoming.clicks.topic", "it-invalid-setting", "bridge.reconcile.ledger.enabled", "false"));
        try {
            assertThatThrownBy(service::start).hasMessageContaining("exited");
        } finally {
            service.stop();
        }
        assertThat(Files.readString(log))
                .contains("Invalid setting bridge.delivery.max-batch-records: must be 1..500 (Firehose's limit), was 600");
    }
}
