package io.firehosebridge.delivery.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;

/** The bound on bytes and calls in flight: it holds, it follows the adaptive limit, and nothing leaks on cancellation. */
class InFlightLimitTest {

    /** Calls that answer only when the test says so. */
    private final List<UniEmitter<? super Integer>> running = new CopyOnWriteArrayList<>();
    private final AtomicInteger cancelled = new AtomicInteger();

    private Uni<Integer> pendingCall() {
        return Uni.createFrom().<Integer> emitter(running::add).onCancellation().invoke(cancelled::incrementAndGet);
    }

    @Test
    void waitsForBytesUntilSomeAreGivenBack() {
        InFlightLimit limit = new InFlightLimit(1_000, 8);
        InFlightLimit.Lease lease = limit.lease();
        lease.bytes(800).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        UniAssertSubscriber<Void> second = lease.bytes(400).subscribe().withSubscriber(UniAssertSubscriber.create());
        second.assertNotTerminated();
        assertThat(limit.inFlightBytes()).isEqualTo(800);
        lease.release(800, 0);
        second.assertCompleted();
        assertThat(limit.inFlightBytes()).isEqualTo(400);
        assertThat(limit.peakBytes()).isEqualTo(800);
    }

    @Test
    void letsAPollLargerThanTheBoundThroughWhenNothingElseIsInFlight() {
        InFlightLimit limit = new InFlightLimit(1_000, 8);
        limit.lease().bytes(5_000).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
    }

    @Test
    void letsAPollInOnlyWhileACallSlotIsFree() {
        InFlightLimit limit = new InFlightLimit(1 << 20, 2);
        InFlightLimit.Lease lease = limit.lease();
        lease.bytes(100).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        lease.call(100, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        lease.call(0, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        // Both slots busy: the next poll waits although its bytes fit.
        UniAssertSubscriber<Void> next = lease.bytes(100).subscribe().withSubscriber(UniAssertSubscriber.create());
        next.assertNotTerminated();
        assertThat(limit.inFlightBytes()).isEqualTo(100);
        running.get(0).complete(1);
        next.assertCompleted();
        assertThat(limit.inFlightBytes()).isEqualTo(100);
    }

    @Test
    void letsNoPollPastACallWaitingForASlot() {
        InFlightLimit limit = new InFlightLimit(1 << 20, 1);
        InFlightLimit.Lease lease = limit.lease();
        lease.call(0, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Integer> waitingCall = lease.call(0, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Void> poll = lease.bytes(100).subscribe().withSubscriber(UniAssertSubscriber.create());
        limit.maxCalls(2);
        // The one new slot goes to the call that waited first; the poll still finds none free.
        assertThat(running).hasSize(2);
        poll.assertNotTerminated();
        running.get(1).complete(2);
        waitingCall.assertItem(2);
        poll.assertCompleted();
    }

    @Test
    void runsNoMoreCallsThanTheLimitAndFollowsItsChanges() {
        InFlightLimit limit = new InFlightLimit(1 << 20, 2);
        InFlightLimit.Lease lease = limit.lease();
        for (int i = 0; i < 5; i++) {
            lease.call(0, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        }
        assertThat(running).hasSize(2);
        limit.maxCalls(4);
        assertThat(running).hasSize(4);
        running.get(0).complete(1);
        assertThat(running).hasSize(5);
        assertThat(limit.inFlightCalls()).isEqualTo(4);
    }

    @Test
    void givesBackACallsBytesAndSlotOnceWhenItEnds() {
        InFlightLimit limit = new InFlightLimit(1 << 20, 1);
        InFlightLimit.Lease lease = limit.lease();
        lease.bytes(300).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Integer> a = lease.call(100, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Integer> b = lease.call(200, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        running.get(0).complete(7);
        a.assertItem(7);
        assertThat(limit.inFlightBytes()).isEqualTo(200);
        running.get(1).fail(new IllegalStateException("boom"));
        b.assertFailedWith(IllegalStateException.class, "boom");
        assertThat(limit.inFlightBytes()).isZero();
        assertThat(limit.inFlightCalls()).isZero();
    }

    @Test
    void aCancelledStreamLeavesTheBoundAsItWas() {
        InFlightLimit limit = new InFlightLimit(10_000, 2);
        InFlightLimit.Lease live = limit.lease();
        live.bytes(1_000).subscribe().withSubscriber(UniAssertSubscriber.create());
        live.call(1_000, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        long bytesBefore = limit.inFlightBytes();
        int callsBefore = limit.inFlightCalls();

        // A re-drive: its poll's bytes taken, one call running, one waiting for a slot, a further poll waiting for bytes.
        InFlightLimit.Lease redrive = limit.lease();
        redrive.bytes(6_000).subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();
        UniAssertSubscriber<Integer> runningCall = redrive.call(3_000, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Integer> waitingCall = redrive.call(3_000, this::pendingCall).subscribe().withSubscriber(UniAssertSubscriber.create());
        UniAssertSubscriber<Void> waitingPoll = redrive.bytes(5_000).subscribe().withSubscriber(UniAssertSubscriber.create());
        assertThat(running).hasSize(2);
        waitingPoll.assertNotTerminated();

        waitingCall.cancel();
        runningCall.cancel();
        waitingPoll.cancel();
        redrive.close();
        assertThat(cancelled).hasValue(1);
        assertThat(limit.inFlightBytes()).isEqualTo(bytesBefore);
        assertThat(limit.inFlightCalls()).isEqualTo(callsBefore);

        // Late answers and releases of the cancelled stream give nothing back twice.
        running.get(1).complete(1);
        redrive.release(3_000, 1);
        assertThat(limit.inFlightBytes()).isEqualTo(bytesBefore);
        assertThat(limit.inFlightCalls()).isEqualTo(callsBefore);
    }
}
