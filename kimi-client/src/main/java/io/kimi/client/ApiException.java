package io.kimi.client;

/**
 * The dashboard answered with an error: {@code {"error":{"message","type","code"}}} over REST, or
 * {@code {"type":"error","code","message"}} over the WebSocket.
 */
public class ApiException extends DashboardException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String errorCode;
    private final String serverMessage;

    /**
     * @param statusCode the HTTP status, or 0 for an error reply on the WebSocket
     * @param errorCode the server's error code, e.g. {@code session_not_found}, {@code invalid_request}
     * @param serverMessage the server's message
     */
    public ApiException(int statusCode, String errorCode, String serverMessage) {
        super((statusCode > 0 ? statusCode + " " : "") + errorCode + ": " + serverMessage);
        this.statusCode = statusCode;
        this.errorCode = errorCode;
        this.serverMessage = serverMessage;
    }

    /** The HTTP status (e.g. 404), or 0 for an error reply on the WebSocket. */
    public int statusCode() {
        return statusCode;
    }

    /** The server's error code, e.g. {@code session_not_found}, {@code invalid_request}, {@code unauthorized}. */
    public String errorCode() {
        return errorCode;
    }

    /** The server's message, as it wrote it. */
    public String serverMessage() {
        return serverMessage;
    }
}
