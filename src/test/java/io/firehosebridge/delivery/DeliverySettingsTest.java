package io.firehosebridge.delivery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;

/** A removed setting still set fails startup naming it, instead of being ignored without a word. */
class DeliverySettingsTest {

    @Test
    void refusesTheRemovedLingerAndSdkPipelineSettingsByName() {
        assertThatThrownBy(() -> DeliverySettings.refuseRemoved(name -> Optional.ofNullable(Map.of("bridge.delivery.linger", "200ms").get(name))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Invalid setting bridge.delivery.linger: was removed: each Kafka poll is sent as it comes");
        assertThatThrownBy(() -> DeliverySettings.refuseRemoved(
                name -> Optional.ofNullable(Map.of("bridge.delivery.sdk-call-pipeline", "true").get(name))))
                .hasMessageContaining("bridge.delivery.sdk-call-pipeline");
        assertThatCode(() -> DeliverySettings.refuseRemoved(name -> Optional.empty())).doesNotThrowAnyException();
    }
}
