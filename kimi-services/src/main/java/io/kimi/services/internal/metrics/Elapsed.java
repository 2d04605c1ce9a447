package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Time between two stored instants, for session durations. Exact for any two instants, even a year -999999999
 * start stored before timestamps were checked: {@code Duration.between(a, b).toMillis()} overflows past 292
 * million years and failed the whole metrics reply.
 */
public final class Elapsed {
    private Elapsed() {
    }

    /** Seconds from {@code from} to {@code to} (negative when {@code to} is earlier); never throws. */
    public static double seconds(Instant from, Instant to) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        // Epoch seconds lie within ±3.2e16, so their difference fits a long with room to spare.
        long wholeSeconds = to.getEpochSecond() - from.getEpochSecond();
        return wholeSeconds + (to.getNano() - from.getNano()) / 1e9;
    }
}
