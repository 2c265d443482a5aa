package io.firehosebridge.testing;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Click events shaped like the field test's: a user on a device clicking an interest. The tests' generator; the local
 * stack's demo part (deploy/local/demo) has its own, since it runs from one source file beside the stack.
 */
public final class DemoClicks {

    private record Device(String manufacturer, String name, String model, String os, String osNumber) {
    }

    private static final List<Device> DEVICES = List.of(
            new Device("LG", "LG G7 ThinQ", "LM-G710N", "Android", "8.0"),
            new Device("samsung", "Galaxy S9", "SM-G960N", "Android", "9"),
            new Device("Apple", "iPhone XS", "iPhone11,2", "iOS", "12.2"),
            new Device("Google", "Pixel 3", "Pixel 3", "Android", "9"));
    private static final List<String> WORDS = List.of("Aster", "Kotlin", "Sapphire", "Maple", "Quartz", "Falcon", "Juniper", "Cobalt");

    private final Random random;

    public DemoClicks(long seed) {
        this.random = new Random(seed);
    }

    /** One click event as JSON; {@code interest_service_id} is null as in the field test. */
    public String next(Instant at) {
        Device d = DEVICES.get(random.nextInt(DEVICES.size()));
        String user = WORDS.get(random.nextInt(WORDS.size())) + "-" + WORDS.get(random.nextInt(WORDS.size())) + "-"
                + WORDS.get(random.nextInt(WORDS.size())) + "-" + random.nextInt(1000);
        int interest = 1000 + 100 * random.nextInt(5) + 1;
        int type = 1 + random.nextInt(7);
        return "{\"user_id\":\"" + user + "\",\"app_version\":\"v1.5.16(90)\",\"device_id\":\"" + new UUID(random.nextLong(), random.nextLong())
                + "\",\"device_manufacturer\":\"" + d.manufacturer() + "\",\"device_name\":\"" + d.name() + "\",\"device_model\":\"" + d.model()
                + "\",\"device_os\":\"" + d.os() + "\",\"device_os_number\":\"" + d.osNumber() + "\",\"event\":\"interest_service_click\""
                + ",\"interest_id\":" + interest + ",\"index\":" + (1 + random.nextInt(10)) + ",\"interest_name\":\"" + random.nextInt(100)
                + "\",\"interest_service_id\":null,\"interest_service_type\":\"" + type + "\",\"interest_service_name\":\"" + type
                + "\",\"timestamp\":\"" + at.truncatedTo(ChronoUnit.SECONDS) + "\"}";
    }
}
