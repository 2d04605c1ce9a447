package io.kimi.services.internal.live;

import static java.util.Objects.requireNonNull;

import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubListener;
import io.kimi.core.hub.HubMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected live clients: each hub message goes, rendered once, to every client whose subscriptions want
 * it. Holds what the clients share: the {@link OutboundBudget} of bytes waiting for all of them (see
 * {@link #reserve}), and the count of clients cut off for being too slow, by {@link DropReason}.
 * Thread-safe; one per server.
 */
public final class LiveClients implements HubListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveClients.class);
    private final Set<LiveConnection> clients = ConcurrentHashMap.newKeySet();
    private final LongAdder delivered = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final OutboundBudget outbound;
    private final AutoCloseable subscription;

    public LiveClients(EventHub hub, OutboundBudget outbound) {
        this.outbound = requireNonNull(outbound, "outbound");
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
        this.subscription = requireNonNull(hub, "hub").subscribe(this);
    }

    public void add(LiveConnection client) {
        clients.add(requireNonNull(client, "client"));
    }

    public void remove(LiveConnection client) {
        clients.remove(client);
    }

    public int count() {
        return clients.size();
    }

    public long delivered() {
        return delivered.sum();
    }

    /** The bytes waiting to be sent to all clients together. */
    public OutboundBudget outbound() {
        return outbound;
    }

    /**
     * Reserves {@code bytes} of the outbound budget for a message to {@code client}. While the total would pass
     * the limit, the client most behind is cut off to make room (its bytes are given back at once): of those
     * holding bytes, the one that has gone longest without taking any, so a client that reads (even slowly, or
     * in bursts) is not cut off because others stopped reading. Returns {@code false} when {@code client} itself
     * is the one most behind, or the message alone is larger than the limit: then {@code client} is to be cut
     * off.
     */
    public boolean reserve(LiveConnection client, long bytes) {
        if (bytes > outbound.limitBytes()) {
            return false;
        }
        // Each round cuts off one client, which then holds nothing: at most one round per client.
        for (int round = 0; !outbound.tryReserve(bytes); round++) {
            LiveConnection behind = mostBehind();
            if (behind == null || behind == client || round > clients.size()) {
                return false;
            }
            behind.cutOff(DropReason.OUTBOUND_LIMIT);
        }
        return true;
    }

    /** Of the clients holding bytes, the one waiting the longest without taking any; none: null. */
    private LiveConnection mostBehind() {
        LiveConnection worst = null;
        long worstSince = 0;
        for (LiveConnection c : clients) {
            if (c.outboundBytes() <= 0) {
                continue;
            }
            long since = c.waitingSinceNanos();
            if (worst == null || since - worstSince < 0) {
                worst = c;
                worstSince = since;
            }
        }
        return worst;
    }

    /** Counts one message dropped, and its client cut off, for this reason. */
    public void countDrop(DropReason reason) {
        dropped.get(requireNonNull(reason, "reason")).increment();
    }

    /** Messages dropped (each cutting its client off) for this reason since the server started. */
    public long dropped(DropReason reason) {
        return dropped.get(requireNonNull(reason, "reason")).sum();
    }

    @Override
    public void onMessage(HubMessage message) {
        if (clients.isEmpty()) {
            return;
        }
        byte[] payload = message.jsonBytes();
        for (LiveConnection client : clients) {
            if (client.subscriptions().wants(message.type(), message.topic())) {
                if (client.offer(payload)) {
                    delivered.increment();
                }
            }
        }
    }

    /** Says goodbye to every client (1001) and waits, at most {@code grace}, for the connections to close. */
    public void goAway(String reason, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Future<?>> closing = new ArrayList<>();
        for (LiveConnection client : clients) {
            closing.add(client.goAway(reason));
        }
        for (Future<?> f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                f.get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // The event loop shutdown that follows closes it either way.
                log.debug("A live client did not close cleanly on shutdown: {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws Exception {
        subscription.close();
        clients.clear();
    }
}
