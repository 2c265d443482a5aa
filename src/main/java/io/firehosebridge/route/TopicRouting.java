package io.firehosebridge.route;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How one topic's records are routed: the routes with a field condition that name the topic, in the routes' name order,
 * then the topic's route without one (or the unmatched rule's). Most topics have no condition: every record takes the
 * fallback and nothing is read from it.
 */
public final class TopicRouting {

    /** A route taking the records whose {@code field} has one of {@code values}. */
    record Condition(String field, Set<String> values, Route route) {
    }

    private final List<Condition> conditions;
    private final Route fallback;
    private final List<Route> destinations;

    TopicRouting(List<Condition> conditions, Route fallback) {
        this.conditions = List.copyOf(conditions);
        this.fallback = fallback;
        Set<Route> all = new LinkedHashSet<>();
        conditions.forEach(c -> all.add(c.route()));
        all.add(fallback);
        destinations = List.copyOf(all);
    }

    /** Whether the route of a record depends on its content (some route names the topic with a field condition). */
    public boolean byField() {
        return !conditions.isEmpty();
    }

    /** The route of a record of the topic, given its JSON value. */
    public Route route(byte[] json) {
        return route(json, 0, json.length);
    }

    /** The route of a record of the topic whose JSON is {@code json[offset, offset + length)} (maybe without its closing brace). */
    public Route route(byte[] json, int offset, int length) {
        if (conditions.isEmpty()) {
            return fallback;
        }
        String field = null;
        String value = null;
        for (Condition c : conditions) {
            if (!c.field().equals(field)) {
                field = c.field();
                value = FieldValue.of(json, offset, length, field);
            }
            if (value != null && c.values().contains(value)) {
                return c.route();
            }
        }
        return fallback;
    }

    /** The route of the topic's records that no field condition takes (all of them, for a topic without conditions). */
    public Route fallback() {
        return fallback;
    }

    /** Every route the topic's records can take, {@link Route#DROPPED} included when some are dropped. */
    public List<Route> destinations() {
        return destinations;
    }

    /** The destinations records are sent to (not dropped). */
    public List<Route> streams() {
        List<Route> sent = new ArrayList<>(destinations);
        sent.removeIf(Route::dropped);
        return sent;
    }

    /** Whether some of the topic's records go to a stream that indexes into search. */
    public boolean searched() {
        return destinations.stream().anyMatch(Route::searched);
    }

    /** Whether every record of the topic is dropped. */
    public boolean dropped() {
        return streams().isEmpty();
    }
}
