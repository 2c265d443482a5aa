package io.firehosebridge.demo;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.firehosebridge.kafka.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Writes demo click events to the input topic at a steady rate when {@code bridge.demo.enabled} is true. */
@ApplicationScoped
public class DemoProducer {

    private static final Logger LOG = Logger.getLogger(DemoProducer.class);

    @Inject
    DemoConfig config;

    @Inject
    KafkaClients clients;

    private KafkaProducer<String, String> producer;
    private ScheduledExecutorService ticker;

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        producer = clients.producer(Map.of("linger.ms", 20, "acks", "all", "client.id", "demo-producer"),
                new StringSerializer(), new StringSerializer());
        DemoClicks clicks = new DemoClicks(System.nanoTime());
        ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-producer"));
        long periodMicros = Math.max(1, 1_000_000L / Math.max(1, config.ratePerSecond()));
        ticker.scheduleAtFixedRate(() -> producer.send(new ProducerRecord<>(config.topic(), clicks.next(Instant.now())), (m, e) -> {
            if (e != null) {
                LOG.debugf("demo event not written: %s", e.getMessage());
            }
        }), 0, periodMicros, TimeUnit.MICROSECONDS);
        LOG.infof("Demo producer writing %d click events/s to %s", config.ratePerSecond(), config.topic());
    }

    void stop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.shutdownNow();
            producer.close(java.time.Duration.ofSeconds(2));
        }
    }
}
