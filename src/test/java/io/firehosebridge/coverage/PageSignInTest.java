package io.firehosebridge.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The coverage page may call this service and, signing in, the provider's origins: nothing else. */
class PageSignInTest {

    @Test
    void withoutAProviderThePageCallsOnlyThisService() {
        assertThat(PageSignIn.policy(List.of())).contains("connect-src 'self';").contains("default-src 'none'")
                .contains("script-src 'self';").contains("frame-ancestors 'none'");
    }

    @Test
    void signingInAddsTheIssuersOriginAndTheExtraOnesOnce() {
        List<String> origins = PageSignIn.connectOrigins("http://127.0.0.1:8180/realms/bridge",
                List.of("https://bridge.auth.eu-west-1.amazoncognito.com/oauth2/token", "http://127.0.0.1:8180/", "not a url", "ftp://x"));
        assertThat(origins).containsExactly("http://127.0.0.1:8180", "https://bridge.auth.eu-west-1.amazoncognito.com");
        assertThat(PageSignIn.policy(origins))
                .contains("connect-src 'self' http://127.0.0.1:8180 https://bridge.auth.eu-west-1.amazoncognito.com;");
    }

    @Test
    void theIssuerLosesATrailingSlash() {
        assertThat(PageSignIn.trimSlash(" https://login.microsoftonline.com/tenant/v2.0/ ")).isEqualTo("https://login.microsoftonline.com/tenant/v2.0");
    }
}
