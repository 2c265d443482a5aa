package io.firehosebridge.localfirehose;

import io.firehosebridge.localfirehose.api.FirehoseException;
import io.firehosebridge.localfirehose.destination.DeliverySigner;
import io.firehosebridge.localfirehose.destination.IndexRotation;
import io.firehosebridge.localfirehose.destination.S3ObjectStore;
import io.firehosebridge.localfirehose.destination.S3Settings;
import io.firehosebridge.localfirehose.destination.SearchBulkClient;
import io.firehosebridge.localfirehose.destination.SearchSettings;
import io.firehosebridge.localfirehose.searchfront.SearchFrontServer;
import io.firehosebridge.localfirehose.stream.DeliveryContext;
import io.firehosebridge.localfirehose.stream.DeliveryStream;
import io.firehosebridge.localfirehose.stream.StreamFaults;
import io.firehosebridge.localfirehose.stream.StreamSpec;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The local Firehose service: its delivery streams and their lifecycle (CREATING → ACTIVE → deleted), and
 * the runtime switches for quotas and faults that tests and the admin API use.
 */
@ApplicationScoped
public class LocalFirehose {

    private static final Logger LOG = Logger.getLogger(LocalFirehose.class);

    private final LocalFirehoseConfig config;
    private final Clock clock;
    private final StackClock awsClock;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final SearchFrontServer searchFront;
    private final Map<String, DeliveryStream> streams = new ConcurrentSkipListMap<>();
    private ScheduledExecutorService ticker;
    private DeliveryContext context;

    @Inject
    public LocalFirehose(LocalFirehoseConfig config, Clock clock, StackClock awsClock, ObjectMapper mapper, MeterRegistry registry,
            SearchFrontServer searchFront) {
        this.config = config;
        this.clock = clock;
        this.awsClock = awsClock;
        this.mapper = mapper;
        this.registry = registry;
        this.searchFront = searchFront;
    }

    /** Builds the clients, starts the buffer timer and creates the configured default stream (ACTIVE at once). */
    public synchronized void start() {
        if (context != null) {
            return;
        }
        SearchBulkClient search = new SearchBulkClient(mapper);
        String domainUrl = config.searchUrl();
        if (config.searchFront().deliverThroughFront()) {
            // The front started first (SearchFrontServer observes startup before the endpoint does).
            if (searchFront.url() == null) {
                throw new IllegalStateException("local-firehose.search-front.deliver-through-front needs local-firehose.search-front.enabled");
            }
            search = new SearchBulkClient(mapper, new DeliverySigner(config.auth().accessKeyId(), config.auth().secretAccessKey(), config.region(), awsClock));
            domainUrl = searchFront.url();
            LOG.infof("Local Firehose: deliveries to a DomainARN go through the search front at %s, signed for service es with key %s",
                    domainUrl, config.auth().accessKeyId());
        }
        context = new DeliveryContext(config, clock, mapper, registry, search, new S3ObjectStore(config.s3(), config.region()), domainUrl);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-firehose-buffer-timer");
            t.setDaemon(true);
            return t;
        });
        // Buffers become due at their oldest record plus the interval; checking every 20 ms delivers them at most that late.
        ticker.scheduleWithFixedDelay(this::tick, 20, 20, TimeUnit.MILLISECONDS);
        LocalFirehoseConfig.DefaultStream d = config.defaultStream();
        if (d.enabled()) {
            create(defaultStreamSpec(d), true);
            LOG.infof("Local Firehose: delivery stream %s -> index %s, backup bucket %s", d.name(), d.index(), d.backupBucket());
        }
    }

    /** Delivers every buffered record and stops; waits at most the configured shutdown flush timeout. */
    public synchronized void stop() {
        if (context == null) {
            return;
        }
        ticker.shutdownNow();
        Instant deadline = Instant.now().plus(config.shutdownFlushTimeout());
        for (DeliveryStream stream : streams.values()) {
            try {
                stream.stop(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        context.s3().close();
        context = null;
    }

    /** Creates a stream; it turns ACTIVE after the configured delay unless {@code activeNow}. */
    public DeliveryStream create(StreamSpec spec, boolean activeNow) {
        requireStarted();
        String arn = "arn:aws:firehose:" + config.region() + ":" + config.accountId() + ":deliverystream/" + spec.name();
        synchronized (streams) {
            if (streams.containsKey(spec.name())) {
                throw FirehoseException.inUse("Firehose " + spec.name() + " under accountId " + config.accountId() + " already exists");
            }
            DeliveryStream stream = new DeliveryStream(spec, arn, activeNow ? "ACTIVE" : "CREATING",
                    StreamFaults.from(config.defaults()), context);
            streams.put(spec.name(), stream);
            if (!activeNow) {
                ticker.schedule(() -> {
                    if ("CREATING".equals(stream.status())) {
                        stream.setStatus("ACTIVE");
                    }
                }, config.creatingDelay().toMillis(), TimeUnit.MILLISECONDS);
            }
            return stream;
        }
    }

    /** Deletes a stream: it shows DELETING, takes no more records, delivers what it buffered and disappears. */
    public void delete(String name) {
        DeliveryStream stream = find(name);
        if ("CREATING".equals(stream.status())) {
            throw FirehoseException.inUse("Firehose " + name + " is in CREATING state and cannot be deleted yet");
        }
        stream.setStatus("DELETING");
        ticker.schedule(() -> {
            streams.remove(name, stream);
            try {
                stream.stop(Instant.now().plus(config.shutdownFlushTimeout()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, config.creatingDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The stream, in any status; ResourceNotFoundException if there is none. */
    public DeliveryStream find(String name) {
        DeliveryStream stream = streams.get(name);
        if (stream == null) {
            throw FirehoseException.notFound("Firehose " + name + " under account " + config.accountId() + " not found.");
        }
        return stream;
    }

    /** The stream if it can take records; puts to a CREATING or DELETING stream fail like puts to a missing one. */
    public DeliveryStream findActive(String name) {
        DeliveryStream stream = find(name);
        if (!"ACTIVE".equals(stream.status())) {
            throw FirehoseException.notFound("Firehose " + name + " under account " + config.accountId()
                    + " is not ACTIVE (status " + stream.status() + ").");
        }
        return stream;
    }

    /** Stream names in alphabetical order. */
    public List<DeliveryStream> list() {
        return List.copyOf(streams.values());
    }

    public Optional<DeliveryStream> stream(String name) {
        return Optional.ofNullable(streams.get(name));
    }

    /** The current quotas and faults of a stream. */
    public StreamFaults faults(String stream) {
        return find(stream).faults();
    }

    /** Replaces the quotas and faults of a stream; takes effect on the next call. */
    public void setFaults(String stream, StreamFaults faults) {
        find(stream).setFaults(faults);
        LOG.infof("Local Firehose: stream %s faults set to %s", stream, faults);
    }

    /** Delivers what a stream has buffered now, ignoring its buffering hints. */
    public void flush(String stream) {
        find(stream).flushNow();
    }

    /** The clock arrival times and fault windows are read from. */
    public Clock clock() {
        return clock;
    }

    LocalFirehoseConfig config() {
        return config;
    }

    private void tick() {
        for (DeliveryStream stream : streams.values()) {
            try {
                stream.tick();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Local Firehose: buffer timer failed for %s", stream.name());
            }
        }
    }

    private void requireStarted() {
        if (context == null) {
            throw new IllegalStateException("The local Firehose endpoint is not started");
        }
    }

    private StreamSpec defaultStreamSpec(LocalFirehoseConfig.DefaultStream d) {
        String role = "arn:aws:iam::" + config.accountId() + ":role/local-firehose";
        S3Settings backup = new S3Settings(role, "arn:aws:s3:::" + d.backupBucket(), null, null, 5, 300, "UNCOMPRESSED");
        SearchSettings search = new SearchSettings(true, role, "arn:aws:es:" + config.region() + ":" + config.accountId() + ":domain/local", null,
                d.index(), d.typeName().orElse(null), IndexRotation.parse(d.rotation()), d.bufferSizeMb(),
                d.bufferIntervalSeconds(), d.retryDurationSeconds(), d.backupMode(), backup, "FIREHOSE_DEFAULT");
        search.check();
        return new StreamSpec(d.name(), "DirectPut", search, null, false);
    }
}
