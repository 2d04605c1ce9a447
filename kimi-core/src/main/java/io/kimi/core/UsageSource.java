package io.kimi.core;

import java.util.Locale;

/** Where a request's effective token counts come from. */
public enum UsageSource {
    /** The provider's {@code usage} object: the truth. */
    REPORTED,
    /** Our local jtokkit count, used when the provider reported nothing (or broke off first). */
    ESTIMATED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UsageSource fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
