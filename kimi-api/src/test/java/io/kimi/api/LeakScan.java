package io.kimi.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts where secrets show up in what an outsider can read. Each secret is known by a distinctive core (lower
 * case hex) that every form of it holds: as sent, URL- or JSON-escaped, or lower-cased into a metrics label.
 */
final class LeakScan {
    private final Map<String, String> cores;
    private final Map<String, Integer> hitsBySurface = new LinkedHashMap<>();
    private final List<String> findings = new ArrayList<>();

    /** @param cores the core of each secret by the secret's name (the name is what reports show) */
    LeakScan(Map<String, String> cores) {
        this.cores = Map.copyOf(cores);
    }

    /** Counts the secrets' occurrences in {@code text}, read from {@code surface}. */
    void scan(String surface, String text) {
        String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
        int hits = 0;
        for (Map.Entry<String, String> secret : cores.entrySet()) {
            for (int at = lower.indexOf(secret.getValue()); at >= 0;
                    at = lower.indexOf(secret.getValue(), at + 1)) {
                hits++;
                if (findings.size() < 40) {
                    findings.add(surface + ": " + secret.getKey() + " at " + at);
                }
            }
        }
        hitsBySurface.merge(surface, hits, Integer::sum);
    }

    int total() {
        return hitsBySurface.values().stream().mapToInt(Integer::intValue).sum();
    }

    Map<String, Integer> bySurface() {
        return hitsBySurface;
    }

    @Override
    public String toString() {
        return "leak hits " + total() + " " + hitsBySurface + (findings.isEmpty() ? "" : "; first: " + findings);
    }
}
