package io.kimi.config;

import java.util.Collection;
import java.util.Locale;

/** Finds the accepted key a typo most likely meant ("base_ur1" → "base_url"). */
final class Spelling {
    private static final int MAX_DISTANCE = 2;

    private Spelling() {
    }

    /** The closest of {@code candidates} within a small edit distance, or {@code null}. */
    static String closest(String typo, Collection<String> candidates) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        String t = typo.toLowerCase(Locale.ROOT);
        for (String candidate : candidates) {
            int d = distance(t, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
