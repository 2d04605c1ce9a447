package io.kimi.config;

import java.util.List;

/**
 * {@code [thresholds]}: context fill percentages, and the names of the levels they start. The same three names
 * are used everywhere: the config keys, the API's {@code level} fields (the gauge's and the alerts') and the
 * page's labels. Below {@code warning} the level is {@code normal}; from {@code warning}, {@code warning}; from
 * {@code high}, {@code high}; from {@code critical}, {@code critical}. An alert is raised as each is crossed.
 */
public record Thresholds(double warning, double high, double critical) {
    public static final Thresholds DEFAULT = new Thresholds(70, 85, 95);

    /** The level below every threshold. */
    public static final String NORMAL = "normal";

    /** The three thresholds' names, lowest first: the config keys and the API's level values. */
    public static final List<String> LEVELS = List.of("warning", "high", "critical");

    public Thresholds {
        if (!(0 < warning && warning < high && high < critical && critical <= 100)) {
            throw new IllegalArgumentException("thresholds: " + warning + ", " + high + ", " + critical
                    + " (expected: 0 < warning < high < critical <= 100)");
        }
    }

    /** The level of a fill percentage: {@code normal}, {@code warning}, {@code high} or {@code critical}. */
    public String level(double percent) {
        if (percent >= critical) {
            return "critical";
        }
        if (percent >= high) {
            return "high";
        }
        return percent >= warning ? "warning" : NORMAL;
    }
}
