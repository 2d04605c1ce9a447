package io.kimi.features.sanitizer;

/**
 * A text as a cache key that is cheap to build for long texts: its hash reads the length and a fixed sample of
 * characters (not every character), and equality is the full, exact {@link String#equals} (an intrinsic, so a
 * hit on a 100 KB tool output costs a memory comparison, not a re-hash). Used to memoise content hashes: a
 * conversation resends the same large tool outputs on every request.
 */
final class TextKey {
    private static final int HASH_WHOLE_UP_TO = 256;
    private static final int SAMPLES = 64;

    private final String text;
    private final int hash;

    TextKey(String text) {
        this.text = text;
        this.hash = sampledHash(text);
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

    static int sampledHash(String s) {
        int length = s.length();
        if (length <= HASH_WHOLE_UP_TO) {
            return s.hashCode();
        }
        int h = length;
        long last = length - 1;
        for (int i = 0; i < SAMPLES; i++) {
            h = 31 * h + s.charAt((int) (last * i / (SAMPLES - 1)));
        }
        return h;
    }
}
