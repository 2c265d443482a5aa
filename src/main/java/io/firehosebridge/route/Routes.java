package io.firehosebridge.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;

import io.firehosebridge.delivery.config.DeliveryConfig;
import io.firehosebridge.reconcile.ReconcileConfig;
import io.firehosebridge.search.SearchConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The route of every topic, from {@code bridge.routing}: the routes with a field condition naming the topic (in name order)
 * for the records whose field matches, then a route listing the topic by name, else the first route (by name) whose pattern
 * matches it, else the unmatched rule. Asked per poll by the pipeline and per range by reconciliation, so a topic's
 * routing is kept once found. Checked at startup: bad routes fail it naming the setting.
 */
@Startup
@ApplicationScoped
public class Routes {

    private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");
    private static final Pattern ROUTE_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    static final String CHANNEL_TOPIC = "mp.messaging.incoming.clicks.topic";
    static final String CHANNEL_PATTERN = "mp.messaging.incoming.clicks.pattern";

    @Inject
    RoutingConfig config;

    @Inject
    DeliveryConfig delivery;

    @Inject
    ReconcileConfig reconcile;

    @Inject
    SearchConfig search;

    private Route defaultRoute;
    private boolean dropUnmatched;
    private final Map<String, Route> byTopic = new LinkedHashMap<>();
    private final Map<Pattern, Route> byPattern = new LinkedHashMap<>();
    /** Routes with a field condition, in name order, with the topics they name. */
    private final List<Conditional> conditional = new ArrayList<>();
    private final Map<String, TopicRouting> answers = new ConcurrentHashMap<>();

    /** A route with a field condition and the topics it names (a list, or a pattern). */
    private record Conditional(List<String> topics, Pattern pattern, TopicRouting.Condition condition) {
        boolean names(String topic) {
            return pattern != null ? pattern.matcher(topic).matches() : topics.contains(topic);
        }
    }
    private List<Route> streams;

    @PostConstruct
    void load() {
        boolean searched = search.enabled();
        Route fallback = new Route(Route.DEFAULT, delivery.deliveryStream(), searched ? Optional.of(reconcile.indexPattern()) : Optional.empty(),
                reconcile.backupBucket(), reconcile.backupPrefix(), reconcile.errorOutputPrefix());
        load(config, fallback, searched, new ChannelSubscription(ConfigProvider.getConfig().getOptionalValue(CHANNEL_TOPIC, String.class).orElse("clicks"),
                ConfigProvider.getConfig().getOptionalValue(CHANNEL_PATTERN, Boolean.class).orElse(false)));
    }

    /**
     * Routes built from the given settings rather than injected ones (unit tests, tools).
     *
     * @param fallback the default route (bridge.delivery.delivery-stream with bridge.reconcile's destinations)
     * @param channelTopic the channel's topic, or its pattern when {@code channelPattern}
     */
    public static Routes of(RoutingConfig routing, Route fallback, boolean searchEnabled, String channelTopic, boolean channelPattern) {
        Routes routes = new Routes();
        routes.config = routing;
        routes.load(routing, fallback, searchEnabled, new ChannelSubscription(channelTopic, channelPattern));
        return routes;
    }

    /** What the channel subscribes to: one topic, or a regular expression on topic names. */
    record ChannelSubscription(String topic, boolean pattern) {
        boolean reads(String name) {
            return pattern ? Pattern.matches(topic, name) : topic.equals(name);
        }
    }

    /** Builds the routes from configuration, failing on the first bad setting; the seam unit tests use. */
    void load(RoutingConfig routing, Route fallback, boolean searchEnabled, ChannelSubscription channel) {
        defaultRoute = fallback;
        dropUnmatched = routing.unmatched() == RoutingConfig.Unmatched.DROP;
        check(!dropUnmatched || !routing.routes().isEmpty(), "bridge.routing.unmatched",
                "is drop, but no route is configured (bridge.routing.routes.NAME...), so every record would be dropped; configure routes or remove the setting");
        if (channel.pattern()) {
            try {
                Pattern.compile(channel.topic());
            } catch (PatternSyntaxException e) {
                throw new ConfigurationException("Invalid setting " + CHANNEL_TOPIC + ": with " + CHANNEL_PATTERN
                        + "=true it must be a regular expression: " + e.getDescription());
            }
        }
        Map<String, Route> byStream = new LinkedHashMap<>();
        if (!dropUnmatched || routing.routes().isEmpty()) {
            byStream.put(fallback.deliveryStream(), fallback);
        }
        for (Map.Entry<String, RoutingConfig.RouteConfig> e : new TreeMap<>(routing.routes()).entrySet()) {
            String name = e.getKey();
            RoutingConfig.RouteConfig r = e.getValue();
            String at = "bridge.routing.routes." + name + ".";
            check(ROUTE_NAME.matcher(name).matches() && !name.equals(Route.DEFAULT) && !name.equals(Route.DROPPED.name()), "bridge.routing.routes." + name,
                    "the route's name must be 1..64 characters of [a-zA-Z0-9_-], and neither 'default' nor 'dropped'");
            check(STREAM_NAME.matcher(r.deliveryStream()).matches(), at + "delivery-stream",
                    "must be 1..64 characters of [a-zA-Z0-9_.-], was '" + r.deliveryStream() + "'");
            check(r.topics().isPresent() != r.topicPattern().isPresent(), at + "topics",
                    "set either topics (names) or topic-pattern (a regular expression), and only one of them");
            check(searchEnabled || r.indexPattern().isEmpty(), at + "index-pattern",
                    "is set while bridge.search.enabled=false: no stream indexes into search; remove it");
            check(r.maxRecordsPerSecond().orElse(1) > 0, at + "max-records-per-second", "must be positive when set");
            check(r.field().isPresent() == r.values().isPresent(), at + (r.field().isPresent() ? "values" : "field"),
                    "a field condition needs both field (a top-level field of the records) and values (the values this route takes)");
            check(r.field().map(f -> !f.isBlank()).orElse(true), at + "field", "must name a top-level field of the records");
            boolean byField = r.field().isPresent();
            Route route = new Route(name, r.deliveryStream(), r.indexPattern(), r.backupBucket(), r.backupPrefix(), r.errorOutputPrefix());
            Route same = byStream.putIfAbsent(route.deliveryStream(), route);
            if (same != null && !sameDestinations(same, route)) {
                throw new ConfigurationException("Invalid setting " + at + "delivery-stream: names stream " + route.deliveryStream() + " as route '"
                        + same.name() + "' does, with other destinations (index pattern, bucket or prefixes); a stream has one set");
            }
            // A stream's ceiling is read from the route that stands for it: routes sharing a stream must agree on it.
            OptionalDouble ceiling = same == null ? r.maxRecordsPerSecond()
                    : Route.DEFAULT.equals(same.name()) ? OptionalDouble.empty() : routing.routes().get(same.name()).maxRecordsPerSecond();
            check(same == null || ceiling.equals(r.maxRecordsPerSecond()), at + "max-records-per-second",
                    "differs from what route '" + (same == null ? "" : same.name()) + "' (same stream " + route.deliveryStream()
                            + ") sets; a stream has one ceiling: set it alike on every route of the stream");
            for (String topic : r.topics().orElse(List.of())) {
                Route earlier = byField ? null : byTopic.putIfAbsent(topic, route);
                check(earlier == null, at + "topics", "lists topic " + topic + ", which route '" + (earlier == null ? "" : earlier.name())
                        + "' lists too; a topic has one route without a field condition");
                check(channel.reads(topic), at + "topics", "lists topic " + topic + ", which the service does not read ("
                        + (channel.pattern() ? CHANNEL_TOPIC + " is the pattern " : CHANNEL_TOPIC + " is ") + channel.topic()
                        + "); to read several topics set " + CHANNEL_PATTERN + "=true and " + CHANNEL_TOPIC + " to a pattern covering them");
            }
            Pattern pattern = null;
            if (r.topicPattern().isPresent()) {
                try {
                    pattern = Pattern.compile(r.topicPattern().get());
                } catch (PatternSyntaxException ex) {
                    throw new ConfigurationException("Invalid setting " + at + "topic-pattern: not a regular expression: " + ex.getDescription());
                }
            }
            if (byField) {
                conditional.add(new Conditional(r.topics().orElse(List.of()), pattern,
                        new TopicRouting.Condition(r.field().get(), Set.copyOf(r.values().get()), route)));
            } else if (pattern != null) {
                byPattern.put(pattern, route);
            }
        }
        streams = List.copyOf(byStream.values());
    }

    private static boolean sameDestinations(Route a, Route b) {
        return a.indexPattern().equals(b.indexPattern()) && a.backupBucket().equals(b.backupBucket()) && a.backupPrefix().equals(b.backupPrefix())
                && a.errorOutputPrefix().equals(b.errorOutputPrefix());
    }

    /** How a topic's records are routed. */
    public TopicRouting routing(String topic) {
        TopicRouting known = answers.get(topic);
        return known != null ? known : answers.computeIfAbsent(topic, this::match);
    }

    private TopicRouting match(String topic) {
        List<TopicRouting.Condition> conditions = new ArrayList<>();
        for (Conditional c : conditional) {
            if (c.names(topic)) {
                conditions.add(c.condition());
            }
        }
        return new TopicRouting(conditions, unconditional(topic));
    }

    private Route unconditional(String topic) {
        Route named = byTopic.get(topic);
        if (named != null) {
            return named;
        }
        for (Map.Entry<Pattern, Route> p : byPattern.entrySet()) {
            if (p.getKey().matcher(topic).matches()) {
                return p.getValue();
            }
        }
        return dropUnmatched ? Route.DROPPED : defaultRoute;
    }

    /** The route's own ceiling on records/s (bridge.routing.routes.NAME.max-records-per-second); empty for none or the default route. */
    public OptionalDouble maxRecordsPerSecond(Route route) {
        RoutingConfig.RouteConfig r = config == null ? null : config.routes().get(route.name());
        return r == null ? OptionalDouble.empty() : r.maxRecordsPerSecond();
    }

    /** One route per delivery stream records may go to, the default stream first when unmatched records go there. */
    public List<Route> streams() {
        return streams;
    }

    /** Whether routes are configured (otherwise every record goes to the default stream). */
    public boolean routed() {
        return !byTopic.isEmpty() || !byPattern.isEmpty() || !conditional.isEmpty();
    }

    /** Every route's name with its stream, for logs. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        byTopic.forEach((topic, route) -> lines.add(topic + " → " + route.deliveryStream() + " (route " + route.name() + ")"));
        byPattern.forEach((pattern, route) -> lines.add("/" + pattern.pattern() + "/ → " + route.deliveryStream() + " (route " + route.name() + ")"));
        conditional.forEach(c -> lines.add((c.pattern() != null ? "/" + c.pattern().pattern() + "/" : String.join(", ", c.topics())) + " where "
                + c.condition().field() + " in " + new TreeSet<>(c.condition().values()) + " → " + c.condition().route().deliveryStream()
                + " (route " + c.condition().route().name() + ")"));
        lines.add("other topics → " + (dropUnmatched ? "dropped (bridge.routing.unmatched=drop)" : defaultRoute.deliveryStream()));
        return lines;
    }

    private static void check(boolean ok, String setting, String message) {
        if (!ok) {
            throw new ConfigurationException("Invalid setting " + setting + ": " + message);
        }
    }
}
