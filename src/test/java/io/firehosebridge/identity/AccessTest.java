package io.firehosebridge.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Reading needs a viewer, changing an operator; the provider's roles (or groups, or scopes) grant them as configured. */
class AccessTest {

    @Test
    void readingMethodsNeedAViewerAndEveryOtherAnOperator() {
        assertThat(Access.neededFor("GET")).isEqualTo(Access.VIEWER);
        assertThat(Access.neededFor("head")).isEqualTo(Access.VIEWER);
        assertThat(Access.neededFor("OPTIONS")).isEqualTo(Access.VIEWER);
        for (String method : List.of("POST", "DELETE", "PUT", "PATCH")) {
            assertThat(Access.neededFor(method)).as(method).isEqualTo(Access.OPERATOR);
        }
    }

    @Test
    void anOperatorMayReadAndAViewerMayNotChange() {
        assertThat(Access.OPERATOR.allows(Access.VIEWER)).isTrue();
        assertThat(Access.OPERATOR.allows(Access.OPERATOR)).isTrue();
        assertThat(Access.VIEWER.allows(Access.VIEWER)).isTrue();
        assertThat(Access.VIEWER.allows(Access.OPERATOR)).isFalse();
    }

    @Test
    void rolesGrantTheHighestAccessTheyName() {
        List<String> viewer = List.of("viewer");
        List<String> operator = List.of("operator");
        assertThat(Access.granted(Set.of("viewer"), viewer, operator)).isEqualTo(Access.VIEWER);
        assertThat(Access.granted(Set.of("viewer", "operator"), viewer, operator)).isEqualTo(Access.OPERATOR);
        assertThat(Access.granted(Set.of("offline_access", "uma_authorization"), viewer, operator)).isNull();
        assertThat(Access.granted(Set.of(), viewer, operator)).isNull();
    }

    @Test
    void groupsOrIdsOfAnotherProviderMapToo() {
        // Entra ID sends group object ids; Cognito its group names.
        List<String> viewer = List.of("bridge-viewers", "0b1c2d3e-0000-4000-8000-000000000001");
        List<String> operator = List.of("bridge-operators");
        assertThat(Access.granted(Set.of("0b1c2d3e-0000-4000-8000-000000000001"), viewer, operator)).isEqualTo(Access.VIEWER);
        assertThat(Access.granted(Set.of("bridge-operators"), viewer, operator)).isEqualTo(Access.OPERATOR);
        assertThat(Access.granted(Set.of("viewer"), viewer, operator)).as("the default names mean nothing once others are set").isNull();
    }
}
