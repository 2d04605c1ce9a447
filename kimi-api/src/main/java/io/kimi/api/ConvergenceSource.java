package io.kimi.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConvergenceConfig;
import io.kimi.services.convergence.SimulatedLoop;
import io.kimi.services.internal.convergence.BridgeStatus;
import io.kimi.services.internal.convergence.ConvergenceBridge;
import io.kimi.services.internal.convergence.ConvergenceIngest;
import io.kimi.services.internal.convergence.IncomingEvents;
import io.kimi.services.internal.convergence.MockLoop;
import java.time.Clock;
import java.util.function.Supplier;

/** Starts what feeds the convergence events, as configured: the simulated loop, the bridge to a loop, or none. */
final class ConvergenceSource {
    private ConvergenceSource() {
    }

    /** Starts it, registered in {@code components}; returns where to read its state. */
    static Supplier<BridgeStatus> start(ConvergenceConfig c, IncomingEvents incoming, ConvergenceIngest ingest,
            Clock clock, ObjectMapper json, Components components) {
        if (c.mock()) {
            long seed = c.mockSeed() != null ? c.mockSeed() : System.nanoTime();
            components.add("simulated convergence loop", new MockLoop(new SimulatedLoop(seed, clock, json), incoming,
                    ingest, c.mockInterval())).start();
            return BridgeStatus::mock;
        }
        if (c.url() == null) {
            return BridgeStatus::disabled;
        }
        ConvergenceBridge bridge = components.add("convergence bridge", new ConvergenceBridge(c.url(), incoming,
                ingest, c.reconnectMax(), c.livenessTimeout(), clock));
        bridge.start();
        return bridge::status;
    }
}
