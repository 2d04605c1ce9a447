package io.kimi.protocol;

/**
 * The {@code type} of every WebSocket message. Live messages (pushed as things happen; what subscriptions
 * select): {@link #EVENT}, {@link #METRIC}, {@link #SESSION}, {@link #ALERT}, {@link #WIDGET}; on connecting:
 * {@link #INIT}; replies to a client's request: {@link #RESPONSE}, {@link #PONG}, {@link #ERROR}.
 */
public final class MessageTypes {
    public static final String EVENT = "event";
    public static final String METRIC = "metric";
    public static final String SESSION = "session";
    public static final String ALERT = "alert";
    public static final String WIDGET = "widget";
    public static final String INIT = "init";
    public static final String RESPONSE = "response";
    public static final String PONG = "pong";
    public static final String ERROR = "error";

    private MessageTypes() {
    }
}
