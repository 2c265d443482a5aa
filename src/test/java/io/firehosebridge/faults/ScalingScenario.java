package io.firehosebridge.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.jboss.logging.Logger;

import io.firehosebridge.faults.ReconciliationJudge.DeadLetters;
import io.firehosebridge.faults.ReconciliationJudge.Verdict;
import io.firehosebridge.testing.ConsumerGroups;
import io.firehosebridge.testing.DeployedJvm;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.ServiceProcess;

/**
 * Replicas of the packaged bridge (separate processes, one consumer group) added and removed during delivery, as KEDA and a
 * Deployment update do: scale-ups, scale-downs and restarts by SIGTERM, a SIGKILL while the group rebalances. Each change is an
 * event; after it the group must be back to {@code Stable} with every partition assigned. The judge then reconciles the
 * topic, through the replicas still running, in one offset window per event: the offsets produced since the previous event
 * completed, up to this one's completion. That is where the records a rebalance makes a replica consume twice lie (those it
 * had consumed but not committed when its partitions moved).
 */
final class ScalingScenario implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScalingScenario.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    private static final int IN_FLIGHT_BYTES = 1024 * 1024;

    private final String topic;
    private final String group;
    private final Map<String, String> props;
    private final int firstPort;
    private final long perMember;
    private final AtomicInteger nextPort = new AtomicInteger();
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"));
    private int asked;

    /** One running replica and its HTTP port. */
    record Replica(ServiceProcess process, int port) {
    }

    /**
     * One change to the group and what the judge found in its window.
     *
     * @param name what happened
     * @param members the most consumers the group had during the change (all of them give up their partitions in a rebalance)
     * @param changes replicas started or stopped by the change (each one rebalance)
     * @param convergedSeconds from the first signal until the group was Stable with every partition assigned (NaN: never)
     * @param endsAt end offset of every partition when the change was complete: the upper edge of its window
     */
    record Event(String name, int members, int changes, double convergedSeconds, Map<Integer, Long> endsAt) {
    }

    /** An event's window judged: what is missing or duplicated there, and the bound the duplicates must stay within. */
    record Outcome(String name, Verdict verdict, long bound, double convergedSeconds) {

        boolean met() {
            return verdict.missing() == 0 && verdict.deadLettered() == 0 && verdict.duplicated() <= bound && !Double.isNaN(convergedSeconds);
        }
    }

    /**
     * @param topic the input topic (its consumer group, dead-letter and ledger topics follow {@code props})
     * @param props the bridge's settings, the same for every replica
     * @param firstPort the first of twelve HTTP ports the replicas take in turn, or 0: each replica a free port of its own
     * @param eventsPerSecond the stream's rate
     */
    ScalingScenario(String topic, Map<String, String> props, int firstPort, int eventsPerSecond) {
        this.topic = topic;
        this.group = props.get("mp.messaging.incoming.clicks.group.id");
        this.props = props;
        this.firstPort = firstPort;
        // What one consumer can repeat when its partitions move: what it had in flight (at least ~250 B per enriched event)
        // plus what was acknowledged but not yet committed (one commit interval, 1 s, of the stream).
        this.perMember = Long.parseLong(props.get("bridge.delivery.max-in-flight-bytes")) / 250 + eventsPerSecond;
    }

    /**
     * The fault suite's bridge settings with a 1 MiB in-flight bound (and batch size), so that the duplicates a rebalance may
     * cause are bounded tightly enough to mean something at these stream rates.
     */
    static Map<String, String> replicaProps(String topic, int firehosePort) {
        Map<String, String> props = FaultSuite.bridgeProps(topic, firehosePort);
        props.put("bridge.delivery.max-batch-bytes", Integer.toString(IN_FLIGHT_BYTES));
        props.put("bridge.delivery.max-in-flight-bytes", Integer.toString(IN_FLIGHT_BYTES));
        return props;
    }

    /** Starts {@code count} replicas at once, before any event (not an event itself), and waits for the group. */
    void startWith(int count) throws Exception {
        startReplicas(count);
        converge(count, System.nanoTime());
    }

    /** KEDA's move: starts or SIGTERMs replicas (the newest first) until {@code count} run; one event. */
    void scaleTo(int count) throws Exception {
        int before = replicas.size();
        long t0 = System.nanoTime();
        if (count > before) {
            startReplicas(count - before);
        } else {
            while (replicas.size() > count) {
                terminate(replicas.get(replicas.size() - 1));
            }
        }
        record("scale " + before + " -> " + count + (count > before ? " (started together)" : " (SIGTERM)"), Math.max(before, count), Math.abs(count - before),
                converge(count, t0));
    }

    /** A Deployment update with one surge: for each replica, a new one is started and ready, then the old one SIGTERMed; one event each. */
    void rollingRestart() throws Exception {
        List<Replica> old = List.copyOf(replicas);
        for (int i = 0; i < old.size(); i++) {
            int before = replicas.size();
            long t0 = System.nanoTime();
            Replica fresh = startReplicas(1).get(0);
            awaitReady(fresh);
            terminate(old.get(i));
            record("rolling restart " + (i + 1) + "/" + old.size() + ": new replica ready, old one SIGTERMed", before + 1, 2, converge(before, t0));
        }
    }

    /**
     * A replica is added; while the group rebalances (the coordinator says PreparingRebalance or CompletingRebalance), the
     * oldest replica gets SIGKILL. One event; the group must still converge, the killed consumer's partitions included.
     */
    void killDuringRebalance() throws Exception {
        int before = replicas.size();
        Replica victim = replicas.get(0);
        long t0 = System.nanoTime();
        CompletableFuture<List<Replica>> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return startReplicas(1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        GroupState seen = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (seen == null && System.nanoTime() < deadline) {
            GroupState state = describe().groupState();
            if (state == GroupState.PREPARING_REBALANCE || state == GroupState.COMPLETING_REBALANCE) {
                seen = state;
            } else {
                Thread.sleep(20);
            }
        }
        victim.process().kill();
        replicas.remove(victim);
        LOG.infof("scaling: SIGKILL to the replica on port %d, group state %s", victim.port(), seen);
        starting.get(90, TimeUnit.SECONDS);
        double converged = converge(before, t0);
        record("SIGKILL while the group rebalances (" + (seen == null ? "NO rebalance seen" : seen) + ") after a scale-up "
                + before + " -> " + (before + 1), before + 1, 2, seen == null ? Double.NaN : converged);
    }

    /**
     * Waits until every offset produced is in the index and the backup (or the judge's settle time passed), then judges each
     * event's window and the window after the last event (bound 0: nothing moved there), through the running replicas in turn.
     */
    List<Outcome> judge(Duration settle) throws Exception {
        ReconciliationJudge judge = new ReconciliationJudge(() -> replicas.get(asked++ % replicas.size()).port(), settle);
        String dlq = props.get("mp.messaging.outgoing.dead-letters.topic");
        Verdict all = judge.judge(topic, dlq, Set.of());
        DeadLetters deadLetters = ReconciliationJudge.deadLetters(dlq);
        List<Outcome> outcomes = new ArrayList<>();
        Map<Integer, Long> from = new TreeMap<>();
        for (Event e : events) {
            Verdict v = judge.window(topic, from, e.endsAt(), deadLetters);
            outcomes.add(new Outcome(e.name(), v, (long) e.changes() * e.members() * perMember, e.convergedSeconds()));
            from = e.endsAt();
        }
        Verdict after = judge.window(topic, from, ReconciliationJudge.endOffsets(topic), deadLetters);
        outcomes.add(new Outcome("after the last event, " + replicas.size() + " replica(s)", after, 0, 0));
        LOG.infof("scaling: whole topic %s", all.toString().replaceAll("reasons=\\{.*\\}", ""));
        outcomes.forEach(o -> LOG.infof("scaling: %s: %,d events, %,d missing, %,d duplicated (bound %,d), converged in %.1f s: %s", o.name(),
                o.verdict().events(), o.verdict().missing(), o.verdict().duplicated(), o.bound(), o.convergedSeconds(), o.met() ? "met" : "NOT met"));
        return outcomes;
    }

    /** Waits through the running replicas until the verifier's repair left no duplicate of the topic in the index. */
    FaultSuite.Repaired awaitRepaired(long since, Duration settle) throws Exception {
        ReconciliationJudge judge = new ReconciliationJudge(() -> replicas.get(asked++ % replicas.size()).port(), settle);
        return FaultSuite.awaitRepaired(judge, topic, since, settle);
    }

    /** The whole run's verdict: {@code outcomes} summed. */
    static Verdict total(List<Outcome> outcomes) {
        return new Verdict(outcomes.stream().mapToLong(o -> o.verdict().events()).sum(),
                outcomes.stream().mapToLong(o -> o.verdict().missingInSearch()).sum(),
                outcomes.stream().mapToLong(o -> o.verdict().missingInBackup()).sum(),
                outcomes.stream().mapToLong(o -> o.verdict().failedInSearch()).sum(),
                outcomes.stream().mapToLong(o -> o.verdict().duplicatedInSearch()).sum(),
                outcomes.stream().mapToLong(o -> o.verdict().duplicatedInBackup()).sum(),
                outcomes.isEmpty() ? 0 : outcomes.get(0).verdict().deadLettered(), 0, Map.of());
    }

    @Override
    public void close() throws Exception {
        for (Replica r : List.copyOf(replicas)) {
            r.process().stop();
        }
        replicas.clear();
        admin.close();
    }

    // ---- machinery ----

    private List<Replica> startReplicas(int count) throws Exception {
        List<CompletableFuture<Replica>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = firstPort == 0 ? FreePorts.next() : firstPort + nextPort.getAndIncrement() % 12;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Replica(DeployedJvm.bridge("scaling-bridge-" + port, port, props).start(), port);
                } catch (Exception e) {
                    throw new IllegalStateException("replica on port " + port + " did not start", e);
                }
            }));
        }
        List<Replica> started = new ArrayList<>();
        for (CompletableFuture<Replica> f : starting) {
            started.add(f.get(90, TimeUnit.SECONDS));
        }
        replicas.addAll(started);
        LOG.infof("scaling: started %d replica(s) on ports %s; %d running", count, started.stream().map(Replica::port).toList(), replicas.size());
        return started;
    }

    private void terminate(Replica r) throws InterruptedException {
        int exit = r.process().stop();
        replicas.remove(r);
        LOG.infof("scaling: SIGTERM to the replica on port %d, exit code %d", r.port(), exit);
        if (exit != 0 && exit != 143) {
            throw new IllegalStateException("the replica on port " + r.port() + " did not stop cleanly after SIGTERM (exit " + exit + ")");
        }
    }

    private void awaitReady(Replica r) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not answering yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the replica on port " + r.port() + " was not ready within 60 s");
    }

    /**
     * Waits until the group is Stable with {@code members} consumers and every partition of the topic assigned to one of them;
     * returns the seconds since {@code t0}, or NaN when that did not happen within two minutes (a stuck group).
     */
    private double converge(int members, long t0) throws Exception {
        int partitions = ConsumerGroups.partitions(admin, topic);
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        ConsumerGroupDescription d = null;
        while (System.nanoTime() < deadline) {
            d = ConsumerGroups.describe(admin, group);
            if (ConsumerGroups.settled(d, topic, partitions) && d.members().size() == members) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(100);
        }
        LOG.warnf("scaling: group %s did not converge to %d members with %d partitions assigned within %s: %s", group, members, partitions,
                CONVERGE, d);
        return Double.NaN;
    }

    private ConsumerGroupDescription describe() throws Exception {
        return ConsumerGroups.describe(admin, group);
    }

    private void record(String name, int members, int changes, double converged) {
        Map<Integer, Long> ends = new LinkedHashMap<>(ReconciliationJudge.endOffsets(topic));
        events.add(new Event(name, members, changes, converged, ends));
        LOG.infof("scaling: %s; group converged in %s; %,d offsets so far", name,
                Double.isNaN(converged) ? "NEVER" : String.format(Locale.ROOT, "%.1f s", converged),
                ends.values().stream().mapToLong(Long::longValue).sum());
    }
}
