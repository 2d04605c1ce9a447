package io.kimi.core;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * Ids of records written for every request (requests, events): time-ordered UUIDs (version 7, RFC 9562), so
 * that each new row lands at the end of its SQLite index instead of on a random page. A random (version 4)
 * id touches a different index page per row, and every touched page is rewritten in the write-ahead log at
 * each commit; that was most of the database's work per proxied request. Thread-safe.
 */
public final class Ids {
    /** Stateless for callers; the generator only keeps ids of the same millisecond increasing. */
    private static final TimeBasedEpochGenerator TIME_ORDERED = Generators.timeBasedEpochGenerator();

    private Ids() {
    }

    /** A new time-ordered UUID, e.g. {@code 0193a0f2-6c1e-7d3a-9b0e-2f4c5d6e7f80}. */
    public static UUID timeOrdered() {
        return TIME_ORDERED.generate();
    }

    /** {@code prefix} followed by a new time-ordered UUID without dashes, e.g. {@code req_0193a0f26c1e7d3a...}. */
    public static String timeOrdered(String prefix) {
        return prefix + timeOrdered().toString().replace("-", "");
    }
}
