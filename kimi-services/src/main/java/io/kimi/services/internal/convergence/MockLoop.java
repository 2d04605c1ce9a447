package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Event;
import io.kimi.core.Threads;
import io.kimi.services.convergence.SimulatedLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --mock}: feeds a {@link SimulatedLoop} into the ingest, one step per interval, as if a loop were
 * connected. For demos and trying the dashboard without a loop.
 */
public final class MockLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MockLoop.class);

    private final SimulatedLoop loop;
    private final IncomingEvents parser;
    private final ConvergenceIngest ingest;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Threads.daemon("kimi-mock-loop"));

    public MockLoop(SimulatedLoop loop, IncomingEvents parser, ConvergenceIngest ingest, Duration interval) {
        this.loop = requireNonNull(loop, "loop");
        this.parser = requireNonNull(parser, "parser");
        this.ingest = requireNonNull(ingest, "ingest");
        this.interval = requireNonNull(interval, "interval");
    }

    public void start() {
        log.info("Simulated convergence loop running (one step every {} ms)", interval.toMillis());
        timer.scheduleWithFixedDelay(this::step, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void step() {
        try {
            List<Event> events = new ArrayList<>();
            for (String text : loop.nextStep()) {
                events.addAll(parser.fromMessage(text).events());
            }
            ingest.ingest(events).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("The simulated loop's step failed; it goes on with the next", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
