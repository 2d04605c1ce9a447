package io.kimi.features.mcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code Mcp-Session-Id} each MCP server handed out, sent back on later calls to it. A 404 to a call that
 * carried one forgets it (the session expired). At most one id per configured server. Thread-safe.
 */
final class McpSessions {
    private final Map<String, String> byServer = new ConcurrentHashMap<>();

    /** The server's current session id, or {@code null}. */
    String get(String server) {
        return byServer.get(server);
    }

    /**
     * Keeps the id of {@code reply}, or forgets {@code sent} when the server answered 404 to it.
     *
     * @param sent the id the call carried, or {@code null}
     */
    void remember(String server, McpTransport.Reply reply, String sent) {
        if (reply.sessionId() != null && !reply.sessionId().isBlank()) {
            byServer.put(server, reply.sessionId());
        } else if (reply.status() == 404 && sent != null) {
            byServer.remove(server, sent);
        }
    }
}
