package io.kimi.api;

import io.netty.util.concurrent.EventExecutor;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket clients' drains, run by one task per event loop: a client with something newly queued asks its
 * loop's {@link Loop} to drain it, and the loop runs every client that asked, in the order they asked, in one
 * task. A push to a thousand clients then costs each event loop one task and at most one wake-up, instead of one
 * task (and a lambda) per client; each client still gets one write and one flush per drain with all that was
 * queued for it by then. Nothing waits for a timer: a drain starts as soon as its loop is free. Thread-safe; one
 * per server.
 */
final class LoopDrains {
    private static final Logger log = LoggerFactory.getLogger(LoopDrains.class);
    /** Clients drained in one task before the loop is given back to its other work (then a new task follows). */
    static final int MAX_PER_TASK = 4096;

    private final ConcurrentHashMap<EventExecutor, Loop> byLoop = new ConcurrentHashMap<>();

    /** The drains of {@code loop}'s clients. At most one per event loop of the server. */
    Loop of(EventExecutor loop) {
        return byLoop.computeIfAbsent(loop, Loop::new);
    }

    /**
     * One event loop's clients waiting to be drained. Each client asks at most once until its drain has started
     * (its own flag, {@link WsSession}), so at most as many entries wait as the loop has clients.
     */
    static final class Loop implements Runnable {
        private final EventExecutor executor;
        private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Loop(EventExecutor executor) {
            this.executor = executor;
        }

        /** Runs {@code drain} on this loop soon, with the others that asked; any thread. */
        void request(Runnable drain) {
            waiting.add(drain);
            if (scheduled.compareAndSet(false, true)) {
                executor.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled.set(false); // a client asking from now on is either polled below or schedules a new run
            Runnable drain;
            for (int n = 0; n < MAX_PER_TASK && (drain = waiting.poll()) != null; n++) {
                try {
                    drain.run();
                } catch (RuntimeException e) {
                    log.warn("A WebSocket client's drain failed; the other clients of its loop are drained", e);
                }
            }
            if (!waiting.isEmpty() && scheduled.compareAndSet(false, true)) {
                executor.execute(this);
            }
        }
    }
}
