package io.kimi.config;

import java.util.List;

/**
 * Reads {@code [thresholds]}: context fill percentages; keys left out take the defaults (70, 85, 95). The keys are
 * the levels' names ({@link Thresholds#LEVELS}), the same as the API's and the page's.
 */
final class ThresholdsSection {
    static final List<String> KEYS = Thresholds.LEVELS;

    Thresholds read(Table thresholds) {
        thresholds.requireOnly(KEYS);
        double warning = thresholds.number("warning", 0).orElse(Thresholds.DEFAULT.warning());
        double high = thresholds.number("high", 0).orElse(Thresholds.DEFAULT.high());
        double critical = thresholds.number("critical", 0).orElse(Thresholds.DEFAULT.critical());
        if (!(0 < warning && warning < high && high < critical && critical <= 100)) {
            throw thresholds.error("expected 0 < warning < high < critical <= 100 (percent of the context "
                    + "window), got warning = " + plain(warning) + ", high = " + plain(high)
                    + ", critical = " + plain(critical));
        }
        return new Thresholds(warning, high, critical);
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
