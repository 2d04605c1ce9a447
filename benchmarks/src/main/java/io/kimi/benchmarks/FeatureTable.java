package io.kimi.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table: the first column and those marked as text left-aligned, the others right-aligned (figures). */
final class FeatureTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private int textColumn = -1;

    FeatureTable(String... header) {
        this.header = List.of(header);
    }

    /** Left-aligns the last column (words, not figures). */
    FeatureTable lastColumnIsText() {
        textColumn = header.size() - 1;
        return this;
    }

    FeatureTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + header.size() + ")");
        }
        rows.add(List.of(cells));
        return this;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        line(md, header);
        List<String> rule = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            rule.add(i == 0 || i == textColumn ? "---" : "---:");
        }
        line(md, rule);
        rows.forEach(r -> line(md, r));
        return md.toString();
    }

    private static void line(StringBuilder md, List<String> cells) {
        md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    /** {@code 215378} as {@code 215,378}. */
    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** The change from {@code base} to {@code value} in per cent, signed, one decimal ({@code −79.1 %}). */
    static String change(long base, long value) {
        if (base == 0) {
            return "n/a";
        }
        double pct = 100.0 * (value - base) / base;
        if (Math.abs(pct) < 0.05) {
            return "0.0 %";
        }
        return String.format(Locale.ROOT, "%s%.1f %%", pct < 0 ? "−" : "+", Math.abs(pct));
    }
}
