package io.kimi.config;

/**
 * {@code [thresholds]}: context fill percentages. The gauge is green below {@code warning}, yellow below
 * {@code high}, red from {@code high};
 * alerts are raised at each of the three.
 */
public record Thresholds(double warning, double high, double critical) {
    public static final Thresholds DEFAULT = new Thresholds(70, 85, 95);

    public Thresholds {
        if (!(0 < warning && warning < high && high < critical && critical <= 100)) {
            throw new IllegalArgumentException("thresholds: " + warning + ", " + high + ", " + critical
                    + " (expected: 0 < warning < high < critical <= 100)");
        }
    }

    /** The gauge colour for a fill percentage: green, yellow or red. */
    public String colour(double percent) {
        if (percent < warning) {
            return "green";
        }
        return percent < high ? "yellow" : "red";
    }
}
