package io.firehosebridge.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Waits for a job of the API (a reconciliation, a re-drive or a repair) to end, by polling its Location. */
public final class Jobs {

    private static final Set<String> NOT_ENDED = Set.of("QUEUED", "RUNNING");

    private Jobs() {
    }

    /** Polls {@code location} through {@code api} every {@code every} until the job has ended; returns its last view. */
    public static JsonPath awaitEnd(Supplier<RequestSpecification> api, String location, Duration atMost, Duration every) {
        return awaitEnd(api, location, atMost, every, view -> {
        });
    }

    /** As {@link #awaitEnd(Supplier, String, Duration, Duration)}, handing every view read to {@code eachView} (e.g. to follow progress). */
    public static JsonPath awaitEnd(Supplier<RequestSpecification> api, String location, Duration atMost, Duration every,
            Consumer<JsonPath> eachView) {
        JsonPath[] last = new JsonPath[1];
        await().atMost(atMost).pollInterval(every).until(() -> {
            last[0] = api.get().get(location).then().statusCode(200).extract().jsonPath();
            eachView.accept(last[0]);
            return !NOT_ENDED.contains(last[0].getString("state"));
        });
        return last[0];
    }
}
