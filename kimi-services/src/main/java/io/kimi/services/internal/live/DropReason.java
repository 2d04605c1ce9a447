package io.kimi.services.internal.live;

/** Why a live client lost a message and was cut off. */
public enum DropReason {
    /** Its own queue already held {@code server.ws_queue_limit} messages. */
    QUEUE_LIMIT("queue_limit"),
    /**
     * The bytes waiting for all clients together reached {@code server.ws_outbound_limit_bytes}, and this client
     * held more than its share of them.
     */
    OUTBOUND_LIMIT("outbound_limit");

    private final String wireName;

    DropReason(String wireName) {
        this.wireName = wireName;
    }

    /** The name in {@code /health} and in the {@code reason} label of {@code kimi_websocket_dropped_total}. */
    public String wireName() {
        return wireName;
    }
}
