package io.kimi.core;

import java.util.Locale;

/** How a proxied request ended. */
public enum RequestStatus {
    /** The provider answered 2xx and the whole reply reached the client. */
    SUCCESS,
    /** The proxy or the provider answered with an error, or the provider broke off. */
    ERROR,
    /** The client went away before the reply was complete. */
    CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RequestStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
