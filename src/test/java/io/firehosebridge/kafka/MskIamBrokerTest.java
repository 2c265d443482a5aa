package io.firehosebridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.firehosebridge.testing.IamKafka;
import io.firehosebridge.testing.IamKafka.Credentials;

/**
 * The local IAM broker checks what Amazon's aws-msk-iam-auth library signs: the library's own login (its SASL client, its
 * SigV4 presigned payload) gets in with a key the broker knows, long-term or temporary, and is refused, with AWS's reason,
 * for a wrong secret, an unknown key, a missing or wrong session token, expired temporary credentials and a clock that is
 * 10 minutes off. Each case is a fresh admin client asking for the cluster id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MskIamBrokerTest {

    private IamKafka kafka;
    private String regionBefore;

    @BeforeAll
    void start() {
        kafka = IamKafka.local();
        // The local broker's address names no AWS region, so the library takes it from the region chain, as it would for an
        // MSK address without one.
        regionBefore = System.getProperty("aws.region");
        System.setProperty("aws.region", kafka.region());
    }

    @AfterAll
    void restoreRegion() {
        if (regionBefore == null) {
            System.clearProperty("aws.region");
        } else {
            System.setProperty("aws.region", regionBefore);
        }
    }

    @Test
    void letsInTheLibrarysLoginWithALongTermKeyOrTemporaryCredentials() throws Exception {
        assertThat(clusterId(kafka.bootstrapServers(), kafka.longTerm())).isNotBlank();
        assertThat(clusterId(kafka.bootstrapServers(), kafka.temporary())).isNotBlank();
    }

    @Test
    void refusesAWrongSecret() {
        assertRefused(kafka.bootstrapServers(), kafka.longTerm().withSecret("not-the-secret-" + System.nanoTime()),
                "The request signature we calculated does not match the signature you provided");
        assertRefused(kafka.bootstrapServers(), kafka.temporary().withSecret("not-the-secret-" + System.nanoTime()),
                "The request signature we calculated does not match the signature you provided");
    }

    @Test
    void refusesAnUnknownKey() {
        assertRefused(kafka.bootstrapServers(), new Credentials("AKIAUNKNOWNLOCALKEY0", kafka.longTerm().secretAccessKey(), null),
                "access key AKIAUNKNOWNLOCALKEY0 is unknown");
    }

    @Test
    void refusesTemporaryCredentialsWithoutTheirSessionTokenOrWithAnotherOne() {
        Credentials temporary = kafka.temporary();
        assertRefused(kafka.bootstrapServers(), new Credentials(temporary.accessKeyId(), temporary.secretAccessKey(), null),
                "needs its session token");
        assertRefused(kafka.bootstrapServers(), new Credentials(temporary.accessKeyId(), temporary.secretAccessKey(),
                kafka.expired().sessionToken()), "The security token included in the request is invalid");
    }

    @Test
    void refusesExpiredTemporaryCredentials() {
        assertRefused(kafka.bootstrapServers(), kafka.expired(), "The security token included in the request is expired");
    }

    @Test
    void refusesASignatureFromAClockTenMinutesOff() throws Exception {
        assertThat(kafka.skewSeconds()).isGreaterThan(300);
        assertRefused(kafka.skewedBootstrapServers(), kafka.longTerm(), "Signature not yet current");
        assertRefused(kafka.skewedBootstrapServers(), kafka.temporary(), "Signature not yet current");
    }

    private String clusterId(String servers, Credentials credentials) throws Exception {
        try (Admin admin = Admin.create(settings(servers, credentials))) {
            return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        }
    }

    private void assertRefused(String servers, Credentials credentials, String reason) {
        assertThatThrownBy(() -> clusterId(servers, credentials)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SaslAuthenticationException.class).hasMessageContaining(reason);
    }

    private Map<String, Object> settings(String servers, Credentials credentials) {
        Map<String, Object> settings = kafka.clientSettings(servers, credentials);
        settings.put("request.timeout.ms", 20_000);
        settings.put("default.api.timeout.ms", 25_000);
        return settings;
    }
}
