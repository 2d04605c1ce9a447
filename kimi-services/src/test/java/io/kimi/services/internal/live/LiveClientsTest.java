package io.kimi.services.internal.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.hub.EventHub;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared outbound budget: who is cut off to make room when it is full. */
class LiveClientsTest {
    private final LiveClients clients = new LiveClients(new EventHub(), new OutboundBudget(1000));

    @Test
    void belowTheLimitNobodyIsCutOff() {
        Client a = connect(100);
        Client b = connect(10);

        assertThat(a.send(600)).isTrue();
        assertThat(b.send(400)).isTrue();

        assertThat(clients.outbound().queuedBytes()).isEqualTo(1000);
        assertThat(a.cutOff).isNull();
        assertThat(b.cutOff).isNull();
    }

    @Test
    void aFullBudgetCutsOffTheClientThatStoppedReadingNotTheOneThatReads() {
        Client reading = connect(100); // took something at t=100
        Client stalled = connect(10); // has taken nothing since t=10
        stalled.send(300);
        reading.send(600); // a burst: it holds more than the stalled one

        assertThat(reading.send(300)).isTrue();

        assertThat(stalled.cutOff).isEqualTo(DropReason.OUTBOUND_LIMIT);
        assertThat(reading.cutOff).isNull();
        assertThat(clients.outbound().queuedBytes()).isEqualTo(900);
    }

    @Test
    void clientsWaitingLongestAreCutOffFirstUntilTheMessageFits() {
        Client oldest = connect(10);
        Client old = connect(20);
        Client recent = connect(90);
        Client reading = connect(100);
        oldest.send(200);
        old.send(300);
        recent.send(400);

        assertThat(reading.send(400)).isTrue();

        assertThat(oldest.cutOff).isEqualTo(DropReason.OUTBOUND_LIMIT);
        assertThat(old.cutOff).isEqualTo(DropReason.OUTBOUND_LIMIT);
        assertThat(recent.cutOff).isNull();
        assertThat(clients.outbound().queuedBytes()).isEqualTo(800);
    }

    @Test
    void clientsHoldingNothingAreNeverCutOffAndBusyClientsAreNotSkipped() {
        Client idle = connect(1); // oldest, but nothing waits for it
        Client stalled = connect(10);
        Client reading = connect(100);
        stalled.send(1000);

        assertThat(reading.send(1)).isTrue();

        assertThat(idle.cutOff).isNull();
        assertThat(stalled.cutOff).isEqualTo(DropReason.OUTBOUND_LIMIT);
    }

    @Test
    void aClientThatIsItselfMostBehindIsRefused() {
        Client stalled = connect(10);
        Client reading = connect(100);
        reading.send(100);
        stalled.send(900);

        assertThat(stalled.send(100)).isFalse();

        assertThat(reading.cutOff).isNull();
        assertThat(clients.outbound().queuedBytes()).isEqualTo(1000);
    }

    @Test
    void aMessageLargerThanTheWholeLimitIsRefusedWithoutCuttingAnyoneOff() {
        Client other = connect(10);
        other.send(500);
        Client client = connect(100);

        assertThat(client.send(1001)).isFalse();

        assertThat(other.cutOff).isNull();
    }

    /** A client that last took something at {@code waitingSince} (a time in nanoseconds). */
    private Client connect(long waitingSince) {
        Client c = new Client(waitingSince);
        clients.add(c);
        return c;
    }

    /** A connection that holds what it is given until cut off, as a client that never reads would. */
    private final class Client implements LiveConnection {
        private final Subscriptions subscriptions = new Subscriptions();
        private final long waitingSince;
        private long held;
        DropReason cutOff;

        Client(long waitingSince) {
            this.waitingSince = waitingSince;
        }

        boolean send(long bytes) {
            if (!clients.reserve(this, bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        @Override
        public Subscriptions subscriptions() {
            return subscriptions;
        }

        @Override
        public boolean offer(byte[] utf8Json) {
            return send(utf8Json.length);
        }

        @Override
        public long outboundBytes() {
            return held;
        }

        @Override
        public long waitingSinceNanos() {
            return waitingSince;
        }

        @Override
        public void cutOff(DropReason reason) {
            cutOff = reason;
            clients.outbound().release(held);
            held = 0;
            clients.remove(this);
            clients.countDrop(reason);
        }

        @Override
        public Future<?> goAway(String reason) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
