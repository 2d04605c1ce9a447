package io.kimi.services.live;

import static java.util.Objects.requireNonNull;

import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubListener;
import io.kimi.core.hub.HubMessage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connected live clients: each hub message goes, rendered once, to every client whose subscriptions want
 * it. A client whose queue is full loses the message (counted; the transport decides what else to do).
 * Thread-safe; one per server.
 */
public final class LiveClients implements HubListener, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveClients.class);
    private final Set<LiveConnection> clients = ConcurrentHashMap.newKeySet();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final AutoCloseable subscription;

    public LiveClients(EventHub hub) {
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

    public long dropped() {
        return dropped.sum();
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
                } else {
                    dropped.increment();
                }
            }
        }
    }

    /** Says goodbye to every client (1001) and waits, at most {@code grace}, for the connections to close. */
    public void goAway(String reason, java.time.Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        java.util.List<java.util.concurrent.Future<?>> closing = new java.util.ArrayList<>();
        for (LiveConnection client : clients) {
            closing.add(client.goAway(reason));
        }
        for (java.util.concurrent.Future<?> f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                f.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
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
