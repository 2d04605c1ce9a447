package io.kimi.features.mcp;

import java.nio.charset.StandardCharsets;

/**
 * Finds the JSON-RPC response in a {@code text/event-stream} reply, as MCP servers on the Streamable HTTP
 * transport may answer a request: each event's {@code data:} lines joined by newlines; the first event whose
 * data is a JSON object with a {@code result} or an {@code error} member is the response (notifications and
 * requests the server sends first are skipped).
 */
final class EventStreamReply {

    private EventStreamReply() {
    }

    /** The response's JSON bytes, or {@code null} when the stream holds none. */
    static byte[] responseIn(byte[] eventStream) {
        String text = new String(eventStream, StandardCharsets.UTF_8);
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        for (String line : text.split("\r\n|\r|\n", -1)) {
            if (line.isEmpty()) {
                if (hasData && isResponse(data)) {
                    return data.toString().getBytes(StandardCharsets.UTF_8);
                }
                data.setLength(0);
                hasData = false;
            } else if (line.startsWith("data:")) {
                if (hasData) {
                    data.append('\n');
                }
                data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
                hasData = true;
            }
        }
        if (hasData && isResponse(data)) {
            return data.toString().getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    /** A cheap test; the gateway parses and validates the chosen event properly. */
    private static boolean isResponse(CharSequence data) {
        String s = data.toString().strip();
        return s.startsWith("{") && (s.contains("\"result\"") || s.contains("\"error\""));
    }
}
