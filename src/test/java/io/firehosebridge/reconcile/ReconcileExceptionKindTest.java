package io.firehosebridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.firehosebridge.reconcile.ReconcileException.Kind;

/**
 * The one table of kinds and statuses: the API answers a kind with its status, and a failure the job topic kept in the
 * former shape (a status only) is read back as the kind it stood for.
 */
class ReconcileExceptionKindTest {

    @Test
    void everyKindRoundTripsThroughItsStatus() {
        for (Kind kind : Kind.values()) {
            assertThat(Kind.ofStatus(kind.status())).as("the kind of %s's status %d", kind, kind.status()).isEqualTo(kind);
        }
        assertThat(Arrays.stream(Kind.values()).map(Kind::status).distinct()).as("one status per kind").hasSize(Kind.values().length);
    }

    @Test
    void theStatusesAreTheOnesTheApiAnsweredBefore() {
        Map<Kind, Integer> statuses = Arrays.stream(Kind.values()).collect(Collectors.toMap(Function.identity(), Kind::status));
        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(Kind.INVALID_REQUEST, 400, Kind.NOT_FOUND, 404, Kind.CONFLICT, 409,
                Kind.UNPROCESSABLE, 422, Kind.UNAVAILABLE, 503, Kind.INTERNAL, 500));
    }

    @Test
    void anyOtherStatusIsAnInternalFailure() {
        assertThat(Kind.ofStatus(0)).isEqualTo(Kind.INTERNAL);
        assertThat(Kind.ofStatus(405)).isEqualTo(Kind.INTERNAL);
        assertThat(Kind.ofStatus(502)).isEqualTo(Kind.INTERNAL);
    }

    @Test
    void theProblemTypeIsDerivedFromTheTitle() {
        assertThat(ReconcileException.problemType("Kafka unavailable")).isEqualTo("urn:kafka-firehose-bridge:problem:kafka-unavailable");
        assertThat(ReconcileException.problemType("Range cannot be reconciled"))
                .isEqualTo("urn:kafka-firehose-bridge:problem:range-cannot-be-reconciled");
        assertThat(ReconcileException.problemType(" Job owner lost! ")).isEqualTo("urn:kafka-firehose-bridge:problem:job-owner-lost");
    }
}
