package io.kimi.core.tokens;

import java.util.Locale;

/** The BPE encodings models are counted with. */
public enum TokenEncoding {
    CL100K_BASE("cl100k_base"),
    O200K_BASE("o200k_base");

    private final String wireName;

    TokenEncoding(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in config, e.g. {@code cl100k_base}. */
    public String wireName() {
        return wireName;
    }

    public static TokenEncoding fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (TokenEncoding e : values()) {
            if (e.wireName.equals(n)) {
                return e;
            }
        }
        throw new IllegalArgumentException("encoding: " + name + " (expected: cl100k_base, o200k_base)");
    }
}
