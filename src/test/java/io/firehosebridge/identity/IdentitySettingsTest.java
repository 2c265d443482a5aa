package io.firehosebridge.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.firehosebridge.identity.IdentityConfig.Mode;
import io.firehosebridge.identity.IdentitySettings.Effective;
import io.firehosebridge.identity.IdentitySettings.Resolved;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;

/** Closed by default: which mode a start runs in, and the message that stops a start whose settings do not allow it. */
class IdentitySettingsTest {

    private static final Optional<String> TOKEN = Optional.of("s3cr3t");
    private static final Optional<String> ISSUER = Optional.of("https://keycloak.example.com/realms/bridge");

    private static Resolved resolve(Mode mode, boolean required, Optional<String> token, Optional<String> issuer, boolean audience) {
        return IdentitySettings.resolve(Optional.ofNullable(mode), required, token, issuer, audience, "prod");
    }

    @Test
    void refusesAProductionStartWithoutAnyIdentitySettingAndNamesTheSetting() {
        assertThatThrownBy(() -> resolve(null, true, Optional.empty(), Optional.empty(), false))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Missing setting bridge.identity.mode:")
                .hasMessageContaining("BRIDGE_IDENTITY_MODE").hasMessageContaining("oidc").hasMessageContaining("token")
                .hasMessageContaining("none");
    }

    @Test
    void staysOpenWhereNotRequiredAndSaysSo() {
        Resolved r = IdentitySettings.resolve(Optional.empty(), false, Optional.of(""), Optional.empty(), false, "dev,local");
        assertThat(r.mode()).isEqualTo(Effective.OPEN);
        assertThat(r.warning()).isFalse();
        assertThat(r.message()).contains("open").contains("bridge.identity.required=false").contains("dev,local");
    }

    @Test
    void noneIsOpenWithAWarning() {
        Resolved r = resolve(Mode.NONE, true, Optional.empty(), Optional.empty(), false);
        assertThat(r.mode()).isEqualTo(Effective.OPEN);
        assertThat(r.warning()).isTrue();
        assertThat(r.message()).contains("bridge.identity.mode=none").contains("open");
    }

    @Test
    void theTokenAloneSelectsTokenMode() {
        assertThat(resolve(null, true, TOKEN, Optional.empty(), false).mode()).isEqualTo(Effective.TOKEN);
        assertThat(resolve(Mode.TOKEN, true, TOKEN, Optional.empty(), false).mode()).isEqualTo(Effective.TOKEN);
        assertThat(resolve(Mode.TOKEN, true, TOKEN, Optional.empty(), false).message()).doesNotContain("s3cr3t");
    }

    @Test
    void tokenModeNeedsTheToken() {
        assertThatThrownBy(() -> resolve(Mode.TOKEN, true, Optional.of("  "), Optional.empty(), false))
                .hasMessage("Invalid setting bridge.identity.mode: is token, but bridge.reconcile.api-token (RECONCILE_API_TOKEN) is not set");
    }

    @Test
    void oidcNeedsTheIssuerAndTheAudience() {
        assertThatThrownBy(() -> resolve(Mode.OIDC, true, Optional.empty(), Optional.empty(), true))
                .hasMessageContaining("quarkus.oidc.auth-server-url");
        assertThatThrownBy(() -> resolve(Mode.OIDC, true, Optional.empty(), ISSUER, false))
                .hasMessageContaining("quarkus.oidc.token.audience").hasMessageContaining("quarkus.oidc.token.required-claims.client_id");
        Resolved r = resolve(Mode.OIDC, true, Optional.empty(), ISSUER, true);
        assertThat(r.mode()).isEqualTo(Effective.OIDC);
        assertThat(r.message()).contains(ISSUER.get());
    }

    @Test
    void refusesSettingsThatContradictTheMode() {
        assertThatThrownBy(() -> resolve(Mode.OIDC, true, TOKEN, ISSUER, true)).hasMessageContaining("bridge.reconcile.api-token is set");
        assertThatThrownBy(() -> resolve(Mode.TOKEN, true, TOKEN, ISSUER, true)).hasMessageContaining("quarkus.oidc.auth-server-url is set");
        assertThatThrownBy(() -> resolve(Mode.NONE, true, TOKEN, Optional.empty(), false)).hasMessageContaining("is none");
        assertThatThrownBy(() -> resolve(null, false, Optional.empty(), ISSUER, true)).hasMessageContaining("set bridge.identity.mode=oidc");
    }
}
