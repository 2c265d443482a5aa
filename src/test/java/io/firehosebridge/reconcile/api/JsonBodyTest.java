package io.firehosebridge.reconcile.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.firehosebridge.reconcile.ReconcileException;
import io.firehosebridge.reconcile.jobs.JobRequest;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The job request body, bound and checked without the service: every wrong body is a 400 whose detail names what to fix. */
class JsonBodyTest {

    private static JobRequest read(String body) {
        return JsonBody.read(body, JobRequest.class, JobRequest.SHAPE, JobRequest.FIELDS);
    }

    private static String refusal(String body) {
        ReconcileException e = catchThrowableOfType(ReconcileException.class, () -> read(body));
        assertThat(e).as(body).isNotNull();
        assertThat(e.kind()).isEqualTo(ReconcileException.Kind.INVALID_REQUEST);
        assertThat(e.title()).isEqualTo("Invalid request");
        return e.getMessage();
    }

    @Test
    void bindsAFullBodyAndCountsRepeatedPartitionsOnce() {
        JobRequest request = read("{\"topic\":\"clicks\",\"partitions\":[2,0,2],\"from\":5,\"to\":9000000000000}");
        assertThat(request).isEqualTo(new JobRequest("clicks", List.of(2, 0), 5L, 9_000_000_000_000L));
        assertThat(read("{\"topic\":\"clicks\",\"from\":null}")).isEqualTo(new JobRequest("clicks", null, null, null));
    }

    @Test
    void refusesJsonThatDoesNotParseWithLineAndColumn() {
        assertThat(refusal("{\"topic\":")).isEqualTo("The body is not valid JSON (line 1, column 10); " + JobRequest.SHAPE);
        assertThat(refusal("{\"topic\":\"a\"} x")).startsWith("The body is not valid JSON (line 1");
        assertThat(refusal("{\"topic\":\"a\",\"topic\":\"b\"}")).startsWith("The body is not valid JSON (line 1");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[1,x]}")).startsWith("The body is not valid JSON (line 1");
        assertThat(refusal("{\"topic\":" + "9".repeat(1_500) + "}")).startsWith("The body is not valid JSON (");
    }

    @Test
    void refusesABodyThatIsNotAnObject() {
        for (String body : List.of("", "  ", "null", "[1,2,3]", "\"clicks\"", "42", "[".repeat(5_000))) {
            assertThat(refusal(body)).as(body).isEqualTo("The body must be a JSON object: " + JobRequest.SHAPE);
        }
    }

    @Test
    void refusesUnknownFieldsByName() {
        assertThat(refusal("{\"topic\":\"clicks\",\"form\":1}")).isEqualTo("Unknown field 'form': " + JobRequest.SHAPE);
    }

    @Test
    void refusesAMissingTopic() {
        assertThat(refusal("{}")).isEqualTo("'topic' is required and must be a string: " + JobRequest.SHAPE);
        assertThat(refusal("{\"topic\":null}")).isEqualTo("'topic' is required and must be a string: " + JobRequest.SHAPE);
    }

    @Test
    void refusesValuesOfTheWrongTypeNamingTheField() {
        assertThat(refusal("{\"topic\":42}")).isEqualTo("'topic' must be a string, the topic's name, not 42");
        assertThat(refusal("{\"topic\":\"a\",\"from\":1e30}")).isEqualTo("'from' must be a whole-number offset, not 1.0E30");
        assertThat(refusal("{\"topic\":{}}")).startsWith("'topic' must be a string");
        assertThat(refusal("{\"topic\":[\"a\"]}")).startsWith("'topic' must be a string");
        assertThat(refusal("{\"topic\":\"a\",\"from\":\"abc\"}")).isEqualTo("'from' must be a whole-number offset, not \"abc\"");
        assertThat(refusal("{\"topic\":\"a\",\"from\":\"5\"}")).isEqualTo("'from' must be a whole-number offset, not \"5\"");
        assertThat(refusal("{\"topic\":\"a\",\"to\":1.5}")).startsWith("'to' must be a whole-number offset");
        assertThat(refusal("{\"topic\":\"a\",\"to\":true}")).startsWith("'to' must be a whole-number offset");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":3}")).startsWith("'partitions' must be a non-empty array");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[\"x\"]}")).isEqualTo("'partitions[0]' must be a partition number (0 or more), not \"x\"");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[1,2.5]}")).startsWith("'partitions[1]' must be a partition number");
    }

    @Test
    void refusesNumbersOutOfRangeNamingTheField() {
        assertThat(refusal("{\"topic\":\"a\",\"from\":99999999999999999999}")).startsWith("'from' must be a whole-number offset");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[0,3000000000]}")).startsWith("'partitions[1]' must be a partition number");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[-1]}")).isEqualTo("'partitions' must hold partition numbers (0 or more), not -1");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[null]}")).isEqualTo("'partitions' must hold partition numbers (0 or more), not null");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":[]}"))
                .isEqualTo("'partitions' must be a non-empty array of partition numbers, or left out for all partitions");
        assertThat(refusal("{\"topic\":\"a\",\"partitions\":" + "[" + String.join(",", Collections.nCopies(10_001, "1")) + "]" + "}"))
                .isEqualTo("'partitions' lists 10001 entries; a topic has at most a few thousand partitions");
    }

    @Test
    void neverEchoesAHugeOrHostileValue() {
        String detail = refusal("{\"topic\":\"a\",\"from\":\"" + "x".repeat(500) + "\\u0007\"}");
        assertThat(detail).as(detail).hasSizeLessThan(120).doesNotContain("\u0007").endsWith("xxx…");
        assertThat(refusal("{\"topic\":\"a\",\"" + "f".repeat(300) + "\":1}")).hasSizeLessThan(200);
    }
}
