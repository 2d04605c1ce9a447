package io.kimi.core;

/**
 * A string hash that costs the same for a 100 KB text as for a short one: short strings are hashed whole, longer
 * ones by their length and {@link #SAMPLES} characters spread evenly from the first to the last. For memo keys
 * whose equality then compares the full text (so two texts differing only between samples collide, and are still
 * told apart): a conversation resends the same large messages on every request.
 */
public final class SampledHash {
    /** Strings up to this length are hashed whole ({@link String#hashCode}). */
    public static final int HASH_WHOLE_UP_TO = 256;
    /** Characters sampled from a longer string. */
    public static final int SAMPLES = 64;

    private SampledHash() {
    }

    public static int of(String s) {
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
