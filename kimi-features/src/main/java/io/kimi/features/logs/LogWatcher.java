package io.kimi.features.logs;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.LogSourceConfig;
import io.kimi.config.LogsConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the logs named in {@code [logs.sources.<name>]} and reports each finding to a {@link LogListener}.
 *
 * <p>One background thread (from the given factory; by default a daemon named {@value #THREAD_NAME}) polls
 * every source each {@code poll_ms}: files are read as they grow, through rotation and truncation, and
 * may not exist yet (see {@link SourceTailer}). Formats: {@code continue} (Continue.dev's {@code core.log},
 * see {@link ContinueLogParser}) and {@code kimi_cli} (Kimi CLI's {@code kimi.log}, see {@link
 * KimiCliLogParser}); a source with another format stays in state {@code error}. Each source's health is in
 * {@link #status()}.
 *
 * <pre>{@code
 * LogWatcher watcher = new LogWatcher(config.logs(), Clock.systemUTC(), finding -> requests.record(finding));
 * watcher.start();
 * ...
 * watcher.close();
 * }</pre>
 * Thread-safe.
 */
public final class LogWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogWatcher.class);
    static final String THREAD_NAME = "kimi-log-watcher";
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final LogsConfig config;
    private final ThreadFactory threadFactory;
    private final List<SourceTailer> tailers = new ArrayList<>();
    private final Object lock = new Object();
    private ScheduledExecutorService executor; // guarded by lock
    private boolean closed; // guarded by lock

    /** A watcher whose thread is a daemon named {@value #THREAD_NAME}. */
    public LogWatcher(LogsConfig config, Clock clock, ObjectMapper json, LogListener listener) {
        this(config, clock, json, listener, runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param config the sources and poll interval
     * @param clock the time of findings whose line has none, and of {@code lastFindingAt}; Kimi CLI's local
     *     times are read in its zone
     * @param json the server's configured mapper, for the log formats with JSON lines
     * @param listener receives every finding, on the watcher's thread
     * @param threadFactory makes the one polling thread
     */
    public LogWatcher(LogsConfig config, Clock clock, ObjectMapper json, LogListener listener,
            ThreadFactory threadFactory) {
        this.config = requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        requireNonNull(listener, "listener");
        requireNonNull(json, "json");
        this.threadFactory = requireNonNull(threadFactory, "threadFactory");
        for (LogSourceConfig source : config.sources()) {
            tailers.add(new SourceTailer(source, LogParser.forFormat(source.format(), clock.getZone(), json), clock,
                    listener));
        }
    }

    /**
     * Starts polling, unless {@code [logs] enabled = false} or no source is configured. Idempotent.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("LogWatcher is closed");
            }
            if (executor != null || !config.enabled() || tailers.isEmpty()) {
                return;
            }
            executor = Executors.newSingleThreadScheduledExecutor(threadFactory);
            long interval = Math.max(1, config.pollInterval().toMillis());
            executor.scheduleWithFixedDelay(this::pollSafely, 0, interval, TimeUnit.MILLISECONDS);
            LOG.info("Watching {} log source(s) every {} ms", tailers.size(), interval);
        }
    }

    /** Every source's health, in configuration order. */
    public List<LogSourceStatus> status() {
        List<LogSourceStatus> statuses = new ArrayList<>(tailers.size());
        for (SourceTailer tailer : tailers) {
            statuses.add(tailer.status(config.enabled()));
        }
        return statuses;
    }

    /** Stops polling (waiting a bounded time for a poll in progress) and closes every file. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService running;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            running = executor;
            executor = null;
        }
        if (running != null) {
            running.shutdown();
            try {
                if (!running.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("Log watcher thread still running {} s after close; interrupting it", CLOSE_WAIT_SECONDS);
                    running.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Interrupted while stopping the log watcher", e);
            }
        }
        synchronized (tailers) {
            tailers.forEach(SourceTailer::close);
        }
    }

    /** Polls every source once, on the caller's thread; what the background thread does each interval. */
    void pollOnce() {
        synchronized (tailers) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            for (SourceTailer tailer : tailers) {
                tailer.poll();
            }
        }
    }

    private void pollSafely() {
        try {
            pollOnce();
        } catch (RuntimeException e) {
            // Never let one bad poll cancel the schedule.
            LOG.error("Log watcher poll failed", e);
        }
    }
}
