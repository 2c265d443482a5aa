package io.firehosebridge.identity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One line per call that changes something: who, what, which reconciliation or job, the answer; never the token. */
class AuditLineTest {

    private static final Caller ALICE = new Caller("5f0c2a4e-sub", "alice", Access.OPERATOR);

    @Test
    void aReDriveNamesTheReconciliationAndTheNewJob() {
        assertThat(AuditLine.of(ALICE, "POST", "/reconciliations/abc-123/redrive", null, "http://127.0.0.1:8080/reconciliations/def-456", 202))
                .isEqualTo("audit subject=5f0c2a4e-sub name=alice access=operator action=redrive reconciliation=abc-123 job=def-456 status=202");
    }

    @Test
    void aRepairSaysWhetherItWasADryRun() {
        assertThat(AuditLine.of(ALICE, "POST", "/reconciliations/abc/repair", "true", "/reconciliations/r1", 202))
                .isEqualTo("audit subject=5f0c2a4e-sub name=alice access=operator action=repair reconciliation=abc dryRun=true job=r1 status=202");
        assertThat(AuditLine.of(ALICE, "POST", "reconciliations/abc/repair", null, null, 409))
                .isEqualTo("audit subject=5f0c2a4e-sub name=alice access=operator action=repair reconciliation=abc dryRun=false job=- status=409");
    }

    @Test
    void startsAndCancelsNameTheirJob() {
        assertThat(AuditLine.of(Caller.TOKEN_HOLDER, "POST", "/reconciliations", null, "/reconciliations/j1", 202))
                .isEqualTo("audit subject=api-token name=\"holder of bridge.reconcile.api-token\" access=operator action=start-reconciliation job=j1 status=202");
        assertThat(AuditLine.of(Caller.ANONYMOUS, "DELETE", "/reconciliations/j1", null, null, 200))
                .isEqualTo("audit subject=anonymous access=operator action=cancel job=j1 status=200");
    }

    @Test
    void refusalsAreAuditedWithWhoeverWasKnown() {
        assertThat(AuditLine.of(null, "POST", "/reconciliations/abc/repair", "false", null, 401))
                .isEqualTo("audit subject=- access=none action=repair reconciliation=abc dryRun=false job=- status=401");
        Caller viewer = new Caller("v-sub", "viewer", Access.VIEWER);
        assertThat(AuditLine.of(viewer, "POST", "/reconciliations/abc/repair", "false", null, 403))
                .isEqualTo("audit subject=v-sub name=viewer access=viewer action=repair reconciliation=abc dryRun=false job=- status=403");
    }

    @Test
    void aForgedNameCannotStartAnotherLine() {
        Caller forged = new Caller("x\naudit subject=root", "x", Access.OPERATOR);
        String line = AuditLine.of(forged, "DELETE", "/reconciliations/j", null, null, 200);
        assertThat(line).doesNotContain("\n").startsWith("audit subject=\"x?audit subject=root\"");
    }
}
