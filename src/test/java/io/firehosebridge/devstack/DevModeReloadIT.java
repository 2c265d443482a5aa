package io.firehosebridge.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.firehosebridge.testing.ClickProducer;
import io.firehosebridge.testing.EndToEnd;
import io.firehosebridge.testing.FreePorts;
import io.firehosebridge.testing.LocalStackResource;
import io.firehosebridge.testing.LocalStreams;

/**
 * {@code ./mvnw quarkus:dev} driven as a person would: on a copy of the project (so an edit can never be left behind in
 * the real sources), against the local stack that dev mode brings up itself (its local Firehose included; the demo part
 * left out with FHB_STACK_DEMO=false, since this test writes its own events), with a topic, delivery stream, index and
 * bucket of its own. Five live reloads, each after an edit in another part of the service (enrichment, the delivery
 * path, the reconciliation API, Kafka clients, enrichment again): after each, readiness is UP and events produced after
 * the edit arrive in the index; after all five the live thread count is back near where it started.
 */
@EndToEnd
class DevModeReloadIT {

    private static final Logger LOG = Logger.getLogger(DevModeReloadIT.class);
    /** Ports of this run alone (a fixed pair collided with another checkout's run on the same host). */
    private static final int HTTP_PORT = FreePorts.next();
    private static final String RUN = LocalStackResource.RUN;
    private static final String TOPIC = "devmode-clicks-" + RUN;
    private static final String INDEX = "devmode-" + RUN;
    /** Threads a reload may leave above the start (pools that grow on demand); a leak per reload exceeds it within five. */
    private static final int THREAD_SLACK = 8;
    /** The running application and the three it replaced last, which dev mode and the libraries may still hold. */
    private static final int APPLICATIONS_KEPT = 4;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path project;
    private static Path log;
    private static Process devMode;
    private static Thread events;
    private static final List<Integer> threadsAfterReload = new ArrayList<>();
    private static Instant lastEdit = Instant.EPOCH;

    @BeforeAll
    static void startDevMode() throws Exception {
        LocalStackResource.ensureStarted();
        project = Path.of("target", "devmode-" + RUN).toAbsolutePath();
        copyProject(Path.of("").toAbsolutePath(), project);
        Files.writeString(project.resolve("src/main/resources/application.properties"), String.join("\n", "",
                "# DevModeReloadIT: this copy's own topic, stream, index, bucket and ports",
                "%dev.quarkus.http.port=" + HTTP_PORT,
                "%dev.mp.messaging.incoming.clicks.topic=" + TOPIC,
                "%dev.mp.messaging.incoming.clicks.group.id=devmode-" + RUN,
                "%dev.mp.messaging.outgoing.dead-letters.topic=devmode-dlq-" + RUN,
                "%dev.bridge.delivery.delivery-stream=" + INDEX,
                "%dev.bridge.reconcile.ledger.topic=devmode-ledger-" + RUN,
                "%dev.bridge.reconcile.jobs.topic=devmode-jobs-" + RUN, ""), StandardOpenOption.APPEND);
        // The stream this copy delivers to, on the stack's local Firehose (4573).
        LocalStreams.createAndAwaitActive(4573, INDEX, INDEX, INDEX, 60);
        startEvents();
        log = Path.of("target", "devmode-" + RUN + ".log").toAbsolutePath();
        List<String> command = List.of(project.resolve("mvnw").toString(), "-B", "quarkus:dev", "-Ddebug=false",
                "-Dquarkus.analytics.disabled=true", "-Dquarkus.console.enabled=false");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("FHB_STACK_DEMO", "false");
        devMode = builder.directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString()))).start();
        // A fresh copy compiles everything first: minutes on a loaded 2-core machine.
        await("dev mode ready; see " + log).atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                .until(() -> devModeAlive() && ready());
    }

    /**
     * Click events into this run's topic, 50 a second, until {@link #stopDevMode} stops them (the demo part's job in a
     * person's dev mode).
     */
    private static void startEvents() {
        events = new Thread(() -> {
            try (ClickProducer producer = new ClickProducer()) {
                while (!Thread.currentThread().isInterrupted()) {
                    producer.clicks(TOPIC, 25);
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warnf("DevModeReloadIT's events stopped: %s", e.toString());
            }
        }, "devmode-events");
        events.setDaemon(true);
        events.start();
    }

    /**
     * Leaves nothing on the stack, which outlives the test: the events stop first (a producer still running would have
     * Kafka create the topic again after its deletion), then dev mode, then the delivery stream goes (it delivers what it
     * buffered before it disappears, so the index is deleted after it), then the topics and the index.
     */
    @AfterAll
    static void stopDevMode() throws Exception {
        if (events != null) {
            events.interrupt();
            events.join(Duration.ofSeconds(30).toMillis());
        }
        if (devMode != null) {
            List<ProcessHandle> tree = new ArrayList<>(devMode.descendants().toList());
            tree.add(devMode.toHandle());
            tree.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : tree) {
                p.onExit().get(60, TimeUnit.SECONDS);
            }
        }
        try {
            LocalStreams.deleteAndAwaitGone(4573, INDEX);
        } finally {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:9092"))) {
                admin.deleteTopics(List.of(TOPIC, "devmode-dlq-" + RUN, "devmode-ledger-" + RUN, "devmode-jobs-" + RUN)).all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a topic that was never created
            }
            send("DELETE", "http://127.0.0.1:9200/" + INDEX, null);
        }
    }

    @Test
    void reloadsFiveTimesWithoutStoppingDelivery() throws Exception {
        await("first demo events indexed").atMost(Duration.ofSeconds(90)).until(() -> count("{\"match_all\":{}}") > 0);
        // The baseline once the application has settled: the same live thread count twice in a row, two seconds apart.
        int[] seen = { -1 };
        await("live thread count settled").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            int now = liveThreads();
            boolean settled = now == seen[0];
            seen[0] = now;
            return settled;
        });
        int baselineThreads = seen[0];

        reloadAfter("enrichment", () -> mark(source("RecordEnricher.java"), 1));

        reloadAfter("the delivery path", () -> mark(source("FirehoseSender.java"), 2));
        reloadAfter("the reconciliation API", () -> mark(source("ReconciliationResource.java"), 3));
        HttpResponse<String> reconciliation = send("GET", base() + "/reconciliations/" + TOPIC + "/0?from=0&to=0", null);
        assertThat(reconciliation.statusCode()).as(reconciliation.body()).isEqualTo(200);
        reloadAfter("the Kafka clients", () -> mark(source("KafkaClients.java"), 4));
        reloadAfter("enrichment again", () -> mark(source("RecordEnricher.java"), 5));

        assertThat(reloadsLogged()).as("live reloads in " + log).isEqualTo(5);
        // Pools that shrink after use (Vert.x workers, the fork-join pool) need a moment; a leak never comes back.
        await("live threads back near " + baselineThreads).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3))
                .until(() -> liveThreads() <= baselineThreads + THREAD_SLACK);
        LOG.infof("Live threads: %d at the start, %s after each reload, %d at the end", baselineThreads, threadsAfterReload, liveThreads());
        // An old application that something still references keeps its classes alive: a leak adds one application per
        // reload, six after these five (the dead-letter producer left open did, before graceful shutdown was enabled). Dev
        // mode and the libraries keep a few replaced ones for a while: after a full GC, 2, 3, 3, 3, 4 were alive after each
        // reload, and 4 stayed at the end in the two runs that counted. So the count is taken after a full GC until it is within the
        // bound, and the bound is absolute: a count of Quarkus class loaders compared with one taken after the second
        // reload failed when that first count caught dev mode holding one application fewer.
        try {
            await("applications alive after a full GC at most " + APPLICATIONS_KEPT).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(5)).until(() -> {
                        long alive = applicationsAliveAfterGc();
                        LOG.infof("After five reloads and a full GC: %d applications alive", alive);
                        return alive <= APPLICATIONS_KEPT;
                    });
        } catch (ConditionTimeoutException e) {
            logWhatHoldsOldApplications();
            throw e;
        }
    }

    /** For a failed bound: the class loaders, the threads and the service's objects still alive, in the test's log. */
    private static void logWhatHoldsOldApplications() {
        try {
            ProcessHandle jvm = devModeJvm();
            LOG.infof("Class loaders of the dev-mode JVM:%n%s", jcmd(jvm, "VM.classloaders"));
            String threads = jcmd(jvm, "Thread.print").lines().filter(l -> l.startsWith("\""))
                    .map(l -> l.substring(0, l.indexOf('"', 1) + 1)).sorted().collect(Collectors.joining("\n"));
            LOG.infof("Threads of the dev-mode JVM:%n%s", threads);
            LOG.infof("Objects of the service's classes still alive:%n%s", jcmd(jvm, "GC.class_histogram").lines()
                    .filter(l -> l.contains("io.firehosebridge")).limit(200).collect(Collectors.joining("\n")));
        } catch (Exception | AssertionError e) {
            LOG.warn("Could not inspect the dev-mode JVM", e);
        }
    }

    /** Edits, triggers the reload with a request (as dev mode does), and waits until delivery runs again. */
    private static void reloadAfter(String what, Runnable edit) throws Exception {
        int before = reloadsLogged();
        // A change within the same second as the last edit can go unnoticed by timestamp: edit in a later second.
        await("a second later than the last edit").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> Instant.now().getEpochSecond() > lastEdit.getEpochSecond());
        edit.run();
        Instant edited = Instant.now();
        lastEdit = edited;
        await("reload after editing " + what).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> devModeAlive() && compiled(what) && ready() && reloadsLogged() > before);
        // Events appended after the reload: the old application may have delivered some between the edit and the reload.
        Instant reloaded = Instant.now();
        await("events produced after the reload for " + what + " indexed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> count("{\"range\":{\"kafka.timestamp\":{\"gt\":" + reloaded.toEpochMilli() + "}}}") > 0);
        threadsAfterReload.add(liveThreads());
        LOG.infof("After editing %s and a full GC: %d applications alive", what, applicationsAliveAfterGc());
    }

    private static boolean ready() {
        try {
            return send("GET", base() + "/q/health/ready", null).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean devModeAlive() {
        if (!devMode.isAlive()) {
            throw new IllegalStateException("dev mode exited with " + devMode.exitValue() + "; see " + log);
        }
        return true;
    }

    /** Fails at once when dev mode could not compile the edit (it would only log it again every two seconds). */
    private static boolean compiled(String what) throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            lines.filter(l -> l.contains("Compilation Failed")).findFirst().ifPresent(l -> {
                throw new IllegalStateException("dev mode could not compile the edit of " + what + "; see " + log);
            });
        }
        return true;
    }

    private static int reloadsLogged() throws IOException {
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains("Live reload total time")).count();
        }
    }

    private static int liveThreads() throws Exception {
        String metrics = send("GET", base() + "/q/metrics", null).body();
        Matcher m = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*})? ([0-9.]+)").matcher(metrics);
        assertThat(m.find()).as("jvm_threads_live_threads in /q/metrics").isTrue();
        return (int) Double.parseDouble(m.group(1));
    }

    /**
     * The applications whose classes are still loaded: each live reload loads the service's classes again in a class loader of
     * its own, so a class of the service appears once per application that something still references. Counted after a
     * full GC (jcmd's GC.run returns once the collection is done), so that only referenced applications count.
     */
    private static long applicationsAliveAfterGc() throws Exception {
        jcmd(devModeJvm(), "GC.run");
        return Pattern.compile("(?m)(?:Classes: |\\s)io\\.firehosebridge\\.delivery\\.DeliveryPipeline$")
                .matcher(jcmd(devModeJvm(), "VM.classloaders show-classes=true")).results().count();
    }

    private static ProcessHandle devModeJvm() {
        return devMode.descendants().filter(p -> p.info().commandLine().orElse("").contains("-dev.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no dev-mode JVM below " + devMode.pid()));
    }

    private static String jcmd(ProcessHandle jvm, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jcmd " + command).isTrue();
        assertThat(p.exitValue()).as("jcmd " + command + ": " + out).isZero();
        return out;
    }

    private static long count(String query) throws Exception {
        send("POST", "http://127.0.0.1:9200/" + INDEX + "/_refresh", null);
        HttpResponse<String> r = send("POST", "http://127.0.0.1:9200/" + INDEX + "/_count", "{\"query\":" + query + "}");
        Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(r.body());
        return r.statusCode() == 200 && m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String base() {
        return "http://127.0.0.1:" + HTTP_PORT;
    }

    private static HttpResponse<String> send(String method, String url, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The one source file of that name in the copy, wherever its package put it. */
    private static Path source(String fileName) {
        try (Stream<Path> files = Files.walk(project.resolve("src/main/java"))) {
            return files.filter(p -> p.getFileName().toString().equals(fileName)).findFirst()
                    .orElseThrow(() -> new IllegalStateException(fileName + " not found in " + project));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A real change to the class (a new constant before its closing brace), so its bytecode differs; named after the reload,
     * so a file edited twice still compiles.
     */
    private static void mark(Path file, int reload) {
        try {
            String text = Files.readString(file).stripTrailing();
            assertThat(text).endsWith("}");
            // Written beside it and moved over it in one step: dev mode scanning between a truncation and the write would
            // compile half a file.
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, text.substring(0, text.length() - 1)
                    + "\n    static final String DEV_RELOAD_MARK_" + reload + " = \"reload-" + reload + "\";\n}\n", StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What dev mode needs: the build, the sources and the stack launcher (whose cache and data are shared, not copied). */
    private static void copyProject(Path from, Path to) throws IOException {
        for (String part : List.of("pom.xml", "mvnw", ".mvn", "src/main", "deploy/local")) {
            Path source = from.resolve(part);
            try (Stream<Path> files = Files.walk(source)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }
}
