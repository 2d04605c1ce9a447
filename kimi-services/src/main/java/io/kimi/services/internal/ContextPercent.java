package io.kimi.services.internal;

/**
 * The one rule for showing a context fill in percent: rounded half up to two decimals (1.5625 → 1.56). Every
 * message, event and view that carries a {@code context_percent} or {@code percent} uses it, so the same request
 * shows the same figure everywhere; thresholds are compared with the unrounded fill.
 */
final class ContextPercent {
    private ContextPercent() {
    }

    /** {@code percent} rounded to two decimals. */
    static double shown(double percent) {
        return Math.round(percent * 100) / 100.0;
    }
}
