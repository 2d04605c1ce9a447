package io.kimi.core;

import java.util.Locale;

/** How a proxied request ended. */
public enum RequestStatus {
    /** The provider answered 2xx and the whole reply reached the client. */
    SUCCESS,
    /** The proxy or the provider answered with an error, or the provider broke off. */
    ERROR,
    /** The client went away before the reply was complete. */
    CANCELLED,
    /**
     * The provider answered 2xx with something that is not a chat completion (a body that is not JSON, such as an
     * HTML page, or JSON without {@code choices}; a stream whose events are not JSON). It was relayed unchanged.
     */
    MALFORMED_REPLY,
    /**
     * Sent upstream, but the server stopped (a crash, {@code kill -9}, power loss) before the outcome was stored:
     * whether the client got its reply, and what the provider billed, are unknown. Set when the store is opened
     * again, from the request's pending record (see {@link PendingRequest}).
     */
    INTERRUPTED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RequestStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
