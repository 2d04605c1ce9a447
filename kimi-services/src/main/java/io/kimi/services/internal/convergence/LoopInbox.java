package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the loop's text messages in, in order: parses each ({@link IncomingEvents}), drops and counts invalid
 * events, and queues the valid ones on the {@link ConvergenceIngest}. The socket is read on while the queued,
 * not yet stored messages stay under {@link #PAUSE_BYTES}; past it, reading pauses (TCP then slows the loop)
 * until they drop to {@link #RESUME_BYTES}. Reading never waits for the database, so the connection's close
 * is seen as soon as it comes. Thread-safe; one per bridge, across its connections.
 */
final class LoopInbox {
    /** Queued, not yet stored message text (in characters) past which the connection stops being read. */
    static final long PAUSE_BYTES = 1024 * 1024;
    /** Queued message text (in characters) under which a paused connection is read again. */
    static final long RESUME_BYTES = 256 * 1024;

    private static final Logger log = LoggerFactory.getLogger(LoopInbox.class);

    private final IncomingEvents parser;
    private final ConvergenceIngest ingest;
    private final BridgeCounters counters;
    private final Clock clock;
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile Channel current;

    LoopInbox(IncomingEvents parser, ConvergenceIngest ingest, BridgeCounters counters, Clock clock) {
        this.parser = requireNonNull(parser, "parser");
        this.ingest = requireNonNull(ingest, "ingest");
        this.counters = requireNonNull(counters, "counters");
        this.clock = requireNonNull(clock, "clock");
    }

    /** {@code channel} is the loop's connection now; it is read or paused as the queue says. On its event loop. */
    void attach(Channel channel) {
        current = channel;
        adjustReading(channel);
    }

    /** A whole text message from the loop, on the connection's event loop. */
    void receive(Channel channel, String text) {
        counters.messageReceived(clock.instant());
        IncomingEvents.Parsed parsed = parser.fromMessage(text);
        dropped(parsed.problems());
        if (parsed.events().isEmpty()) {
            return;
        }
        long size = text.length();
        queuedBytes.addAndGet(size);
        adjustReading(channel);
        ingest.ingest(parsed.events()).whenComplete((result, error) -> {
            if (error != null) {
                log.error("Storing {} event(s) from the convergence loop failed", parsed.events().size(), error);
            } else {
                counters.accepted(result.accepted());
                dropped(result.problems());
            }
            queuedBytes.addAndGet(-size);
            resumeIfDrained();
        });
    }

    private void resumeIfDrained() {
        Channel now = current;
        if (now == null) {
            return;
        }
        try {
            now.eventLoop().execute(() -> adjustReading(now));
        } catch (RejectedExecutionException e) {
            log.debug("The convergence bridge has stopped; nothing to read any more", e);
        }
    }

    /** A binary message: the loop speaks JSON text only. */
    void receiveBinary() {
        counters.messageReceived(clock.instant());
        dropped(List.of("a binary message (only JSON text is understood)"));
    }

    private void dropped(List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        counters.invalid(problems.size());
        log.warn("Convergence loop sent {} invalid event(s), dropped (first: {}); {} dropped since start",
                problems.size(), problems.get(0), counters.invalid());
    }

    /** Pauses or resumes reading the current connection; on its event loop, so decisions happen in order. */
    private void adjustReading(Channel channel) {
        if (channel != current) {
            return;
        }
        long queued = queuedBytes.get();
        boolean reading = channel.config().isAutoRead();
        if (reading && queued > PAUSE_BYTES) {
            log.debug("Convergence loop: {} bytes wait to be stored; pausing reads", queued);
            channel.config().setAutoRead(false);
            counters.readPaused();
        } else if (!reading && queued <= RESUME_BYTES) {
            log.debug("Convergence loop: {} bytes wait to be stored; reading again", queued);
            channel.config().setAutoRead(true);
        }
    }
}
