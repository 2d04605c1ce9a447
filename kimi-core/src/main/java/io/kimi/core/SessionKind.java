package io.kimi.core;

import java.util.Locale;

/** What a session records: proxied LLM requests, or a convergence loop's run. */
public enum SessionKind {
    PROXY,
    CONVERGENCE;

    /** The lower-case name used on the wire and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the accepted values. */
    public static SessionKind fromWire(String value) {
        for (SessionKind kind : values()) {
            if (kind.wireName().equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("kind: " + value + " (expected: proxy, convergence)");
    }
}
