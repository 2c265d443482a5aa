package io.firehosebridge.delivery.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;

import org.junit.jupiter.api.Test;

/**
 * The adaptive concurrency against a simulated Firehose on a deterministic clock: each call takes the endpoint's latency,
 * and the bridge can process at most {@link #CAPACITY} calls per second, so calls beyond what that covers queue (their
 * latency rises). With a fixed 8 calls in flight, +20 ms and +60 ms per call cost rate; adapting, the rate stays near the
 * capacity, and throttling brings the calls in flight down at once.
 */
class AdaptiveConcurrencyTest {

    /** Calls per second the bridge itself can process (500-record calls: 200,000 records/s). */
    private static final double CAPACITY = 400;
    private static final long MS = 1_000_000L;

    /** A backlog: the pipeline always has a call ready when a slot is free. */
    private static final class Simulation {
        long now;
        final AdaptiveConcurrency concurrency;
        final PriorityQueue<long[]> inFlight = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        double latencyMs;
        boolean throttling;
        long completed;
        int maxLimit;

        Simulation(double latencyMs, int initial, int ceiling, double requestsPerSecond) {
            this.latencyMs = latencyMs;
            this.concurrency = new AdaptiveConcurrency(initial, ceiling, requestsPerSecond, 0.9, () -> now, n -> {
            });
        }

        /** Runs for {@code seconds}; returns the calls completed per second over them. */
        double run(double seconds) {
            long end = now + (long) (seconds * 1000) * MS;
            long before = completed;
            while (now < end) {
                while (!inFlight.isEmpty() && inFlight.peek()[0] <= now) {
                    long[] call = inFlight.poll();
                    completed++;
                    concurrency.ended(now - call[1], throttling);
                }
                while (inFlight.size() < concurrency.limit()) {
                    int n = inFlight.size() + 1;
                    // Little's law with a bounded server: n calls in flight take at least n / capacity seconds per round.
                    double rttMs = Math.max(latencyMs, n / CAPACITY * 1000);
                    inFlight.add(new long[] { now + (long) (rttMs * MS), now });
                    concurrency.started(n);
                }
                maxLimit = Math.max(maxLimit, concurrency.limit());
                now += MS / 4;
            }
            return (completed - before) / seconds;
        }
    }

    private static double fixedRate(double latencyMs, int calls) {
        return Math.min(calls / (latencyMs / 1000), CAPACITY);
    }

    @Test
    void convergesUpAtPlus20AndPlus60MillisecondsPerCall() {
        double zero = new Simulation(2, 8, 64, 1000).run(30);
        assertThat(zero).isGreaterThan(0.95 * CAPACITY);
        for (double latency : new double[] { 22, 62 }) {
            Simulation s = new Simulation(latency, 8, 64, 1000);
            s.run(20);
            double rate = s.run(10);
            assertThat(fixedRate(latency, 8)).as("8 fixed calls at %s ms", latency).isLessThan(0.95 * zero);
            assertThat(rate).as("calls/s at %s ms against %s at 2 ms", latency, zero).isGreaterThanOrEqualTo(0.95 * zero);
            assertThat(s.concurrency.limit()).isGreaterThanOrEqualTo((int) (CAPACITY * latency / 1000)).isLessThanOrEqualTo(64);
        }
    }

    @Test
    void backsOffOnThrottlingAndRecoversAfter() {
        Simulation s = new Simulation(62, 8, 64, 1000);
        s.run(20);
        int before = s.concurrency.limit();
        s.throttling = true;
        s.run(1);
        int throttled = s.concurrency.limit();
        assertThat(throttled).isLessThanOrEqualTo(before / 2);
        s.throttling = false;
        s.run(20);
        assertThat(s.concurrency.limit()).isGreaterThan(throttled);
    }

    @Test
    void doesNotRiseWhileCallsWaitForTheSendRate() {
        long[] now = { 0 };
        AdaptiveConcurrency c = new AdaptiveConcurrency(4, 64, 1_000_000, 0.9, () -> now[0], n -> {
        });
        for (int window = 0; window < 20; window++) {
            c.started(4);
            c.rateBound();
            now[0] += 20_000_000;
            c.ended(20_000_000, false);
        }
        assertThat(c.limit()).isEqualTo(4);
        for (int window = 0; window < 5; window++) {
            c.started(c.limit());
            now[0] += 20_000_000;
            c.ended(20_000_000, false);
        }
        assertThat(c.limit()).isEqualTo(9);
    }

    @Test
    void staysWithinTheCeilingAndTheRequestQuota() {
        Simulation ceiling = new Simulation(62, 8, 12, 1000);
        ceiling.run(20);
        assertThat(ceiling.maxLimit).isLessThanOrEqualTo(12);
        // 100 requests/s at 62 ms: at most 7 calls in flight (7 / 0.062 s = 113 requests/s, the next whole call above it).
        Simulation quota = new Simulation(62, 8, 64, 100);
        quota.run(20);
        assertThat(quota.concurrency.limit()).isLessThanOrEqualTo(7);
        assertThat(quota.run(10)).isLessThanOrEqualTo(115);
    }
}
