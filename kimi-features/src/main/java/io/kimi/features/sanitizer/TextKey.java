package io.kimi.features.sanitizer;

import io.kimi.core.SampledHash;

/**
 * A text as a cache key that is cheap to build for long texts: its hash ({@link SampledHash}) reads the length and
 * a fixed sample of characters (not every character), and equality is the full, exact {@link String#equals} (an intrinsic, so a
 * hit on a 100 KB tool output costs a memory comparison, not a re-hash). Used to memoise content hashes: a
 * conversation resends the same large tool outputs on every request.
 */
final class TextKey {
    private final String text;
    private final int hash;

    TextKey(String text) {
        this.text = text;
        this.hash = SampledHash.of(text);
    }

    String text() {
        return text;
    }

    int weight() {
        return text.length();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextKey && ((TextKey) o).hash == hash && ((TextKey) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
