import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The local stack's demo part: realistic click events written to the input topic at a steady rate, like Firehose's
 * "test with demo data", so that documents show up in the search index a few seconds after dev mode starts. Creates the
 * input topic (6 partitions) and the dead-letter topic first when they are missing.
 * <p>
 * A dev tool, not part of the service: {@code deploy/local/stack up demo} runs this one file from source with the
 * cached broker's Kafka client on the class path. Arguments: bootstrap servers, input topic, dead-letter topic, events
 * per second. It writes until it is stopped.
 */
public final class DemoProducer {

    private DemoProducer() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String topic = args.length > 1 ? args[1] : "clicks";
        String deadLetters = args.length > 2 ? args[2] : "clicks-dlq";
        int rate = Math.max(1, args.length > 3 ? Integer.parseInt(args[3]) : 20);
        createMissingTopics(bootstrap, List.of(new NewTopic(topic, 6, (short) 1), new NewTopic(deadLetters, 1, (short) 1)));

        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", 20,
                "acks", "all", "client.id", "demo-producer"), new StringSerializer(), new StringSerializer());
        DemoClicks clicks = new DemoClicks(System.nanoTime());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-producer"));
        ticker.scheduleAtFixedRate(() -> producer.send(new ProducerRecord<>(topic, clicks.next(Instant.now())), (m, e) -> {
            if (e != null) {
                System.err.println("demo event not written: " + e.getMessage());
            }
        }), 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
        System.out.printf("demo: writing %d click events/s to %s at %s%n", rate, topic, bootstrap);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ticker.shutdownNow();
            producer.close(Duration.ofSeconds(2));
            stopped.countDown();
        }, "demo-producer-stop"));
        stopped.await();
    }

    private static void createMissingTopics(String bootstrap, List<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                System.out.println("demo: created topics " + missing.stream().map(NewTopic::name).toList());
            }
        }
    }

    /**
     * Click events shaped like the field test's: a user on a device clicking an interest. The service's tests have a
     * generator of their own (io.firehosebridge.testing.DemoClicks); this one is kept here on purpose, so that the demo
     * runs from this one file.
     */
    static final class DemoClicks {

        private record Device(String manufacturer, String name, String model, String os, String osNumber) {
        }

        private static final List<Device> DEVICES = List.of(
                new Device("LG", "LG G7 ThinQ", "LM-G710N", "Android", "8.0"),
                new Device("samsung", "Galaxy S9", "SM-G960N", "Android", "9"),
                new Device("Apple", "iPhone XS", "iPhone11,2", "iOS", "12.2"),
                new Device("Google", "Pixel 3", "Pixel 3", "Android", "9"));
        private static final List<String> WORDS = List.of("Aster", "Kotlin", "Sapphire", "Maple", "Quartz", "Falcon", "Juniper", "Cobalt");

        private final Random random;

        DemoClicks(long seed) {
            this.random = new Random(seed);
        }

        /** One click event as JSON; {@code interest_service_id} is null as in the field test. */
        String next(Instant at) {
            Device d = DEVICES.get(random.nextInt(DEVICES.size()));
            String user = word() + "-" + word() + "-" + word() + "-" + random.nextInt(1000);
            int type = 1 + random.nextInt(7);
            return "{\"user_id\":\"" + user + "\",\"app_version\":\"v1.5.16(90)\",\"device_id\":\"" + new UUID(random.nextLong(), random.nextLong())
                    + "\",\"device_manufacturer\":\"" + d.manufacturer() + "\",\"device_name\":\"" + d.name() + "\",\"device_model\":\"" + d.model()
                    + "\",\"device_os\":\"" + d.os() + "\",\"device_os_number\":\"" + d.osNumber() + "\",\"event\":\"interest_service_click\""
                    + ",\"interest_id\":" + (1000 + 100 * random.nextInt(5) + 1) + ",\"index\":" + (1 + random.nextInt(10))
                    + ",\"interest_name\":\"" + random.nextInt(100) + "\",\"interest_service_id\":null,\"interest_service_type\":\"" + type
                    + "\",\"interest_service_name\":\"" + type + "\",\"timestamp\":\"" + at.truncatedTo(ChronoUnit.SECONDS) + "\"}";
        }

        private String word() {
            return WORDS.get(random.nextInt(WORDS.size()));
        }
    }
}
