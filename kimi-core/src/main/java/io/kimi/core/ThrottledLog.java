package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A log line that an attacker, or an overload, can provoke at will (refused connections, malformed requests,
 * requests recorded past the recording queue's bound), written at most once per interval so a flood cannot flood
 * the log too; the next line written says how many were left out. Thread-safe.
 */
public final class ThrottledLog {
    private final Logger log;
    private final Level level;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong skipped = new AtomicLong();

    /** @param nanoTime the monotonic clock ({@code System::nanoTime}; a test's own) */
    public ThrottledLog(Logger log, Level level, Duration interval, LongSupplier nanoTime) {
        this.log = requireNonNull(log, "log");
        this.level = requireNonNull(level, "level");
        this.intervalNanos = interval.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /** Logs {@code message} (SLF4J {@code {}} placeholders) unless a line was written less than an interval ago. */
    public void log(String message, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        long now = nanoTime.getAsLong();
        long next = nextAllowed.get();
        if (now - next < 0 || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
            skipped.incrementAndGet();
            return;
        }
        long left = skipped.getAndSet(0);
        String line = left == 0 ? message : message + " (and " + left + " more like it since the previous line)";
        log.atLevel(level).log(line, args);
    }
}
