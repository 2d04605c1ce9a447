package io.kimi.api;

import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the WebSocket sessions' drains of one event loop together, {@value #TICK_MICROS} µs after the first of
 * them was asked for: pushes published meanwhile (the fan-out offers each event to every client in turn) then
 * leave in one write and one flush per client instead of one per event. One task per loop per tick, however
 * many clients. Each session asks at most once until its drain has run (its own flag), so a tick's queue holds
 * at most one entry per client. Thread-safe; one per server.
 */
final class DrainTicker {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DrainTicker.class);
    /** The longest a push waits for others to share its flush. */
    static final long TICK_MICROS = 1_000;

    private final Map<EventExecutor, Tick> ticks = new ConcurrentHashMap<>();

    /** Runs {@code drain} on {@code loop} at the end of its current tick (starting one if none is pending). */
    void drainSoon(EventExecutor loop, Runnable drain) {
        ticks.computeIfAbsent(loop, Tick::new).add(drain);
    }

    private static final class Tick {
        private final EventExecutor loop;
        private final Queue<Runnable> drains = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean pending = new AtomicBoolean();

        Tick(EventExecutor loop) {
            this.loop = loop;
        }

        void add(Runnable drain) {
            drains.add(drain);
            if (pending.compareAndSet(false, true)) {
                loop.schedule(this::run, TICK_MICROS, TimeUnit.MICROSECONDS);
            }
        }

        private void run() {
            pending.set(false);
            Runnable next;
            // Bounded: drains asked for from now on start the next tick only once this one has ended.
            for (int n = drains.size(); n > 0 && (next = drains.poll()) != null; n--) {
                try {
                    next.run();
                } catch (RuntimeException e) {
                    log.warn("A WebSocket drain failed; the other clients of the tick are drained", e);
                }
            }
            if (!drains.isEmpty() && pending.compareAndSet(false, true)) {
                loop.schedule(this::run, TICK_MICROS, TimeUnit.MICROSECONDS);
            }
        }
    }
}
