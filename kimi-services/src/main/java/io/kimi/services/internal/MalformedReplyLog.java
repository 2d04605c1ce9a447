package io.kimi.services.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs replies that were not chat completions at WARN, at most one line per provider per minute (the next line
 * says how many were left out), so that a provider answering every request with an HTML page is seen without
 * flooding the log. Every one of them is counted in {@code kimi_proxy_malformed_replies_total}. Confined to the
 * accounting thread.
 */
final class MalformedReplyLog {
    private static final Logger log = LoggerFactory.getLogger(MalformedReplyLog.class);
    private static final long PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long startNanos;
        long skipped;
    }

    /** Logs one malformed reply of {@code provider}, or counts it as left out of the log. */
    void warn(String provider, String requestId, String description) {
        long now = System.nanoTime();
        Window w = windows.get(provider);
        if (w != null && now - w.startNanos < PERIOD_NANOS) {
            w.skipped++;
            return;
        }
        long skipped = w == null ? 0 : w.skipped;
        if (w == null) {
            w = new Window();
            windows.put(provider, w);
        }
        w.startNanos = now;
        w.skipped = 0;
        log.warn("Request {}: {}{}", requestId, description,
                skipped == 0 ? "" : " (" + skipped + " more from this provider since the last line were not logged)");
    }
}
