package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.services.internal.live.DropReason;
import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.metrics.DirectMemory;
import io.kimi.services.internal.metrics.DirectMemoryProbe;

/**
 * The {@code websocket} and {@code direct_memory} objects of {@code /health}: the live clients, the bytes
 * waiting for them against their limit and the clients cut off, and the process's direct memory against its
 * maximum. Read from memory, never from the database.
 */
final class ResourceHealth {
    private final LiveClients clients;
    private final DirectMemoryProbe directMemory;

    ResourceHealth(LiveClients clients, DirectMemoryProbe directMemory) {
        this.clients = requireNonNull(clients, "clients");
        this.directMemory = requireNonNull(directMemory, "directMemory");
    }

    /** Adds both objects to {@code health}. */
    void addTo(ObjectNode health) {
        ObjectNode ws = health.putObject("websocket")
                .put("clients", clients.count())
                .put("outbound_bytes", clients.outbound().queuedBytes())
                .put("outbound_limit_bytes", clients.outbound().limitBytes());
        ObjectNode dropped = ws.putObject("dropped");
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.wireName(), clients.dropped(reason));
        }
        DirectMemory memory = directMemory.read();
        health.putObject("direct_memory")
                .put("used_bytes", memory.usedBytes())
                .put("max_bytes", memory.maxBytes())
                .put("netty_allocator_bytes", memory.nettyAllocatorBytes());
    }
}
