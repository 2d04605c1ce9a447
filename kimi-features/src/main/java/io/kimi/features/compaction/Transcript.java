package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Messages rendered as a plain-text transcript for a summariser model. Long messages keep their head and tail
 * around a marker; when the transcript would exceed {@link #TOTAL_CHARS}, messages are cut shorter (tool outputs
 * first), and as a last resort the transcript itself keeps its head and tail.
 */
final class Transcript {
    static final int TOTAL_CHARS = 120_000;
    /** Per-message bounds tried in turn: tool output, other messages, tool-call arguments. */
    private static final int[][] BOUNDS = {
        {3_000, 8_000, 500},
        {1_500, 4_000, 300},
        {800, 2_000, 200},
        {400, 1_000, 120},
        {200, 500, 80},
    };

    private Transcript() {
    }

    static String render(List<JsonNode> messages) {
        String text = "";
        for (int[] bounds : BOUNDS) {
            text = render(messages, bounds[0], bounds[1], bounds[2]);
            if (text.length() <= TOTAL_CHARS) {
                return text;
            }
        }
        return headTail(text, TOTAL_CHARS);
    }

    private static String render(List<JsonNode> messages, int toolChars, int messageChars, int argumentChars) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (JsonNode message : messages) {
            if (message == null || !message.isObject()) {
                continue;
            }
            n++;
            String role = Messages.role(message);
            sb.append('[').append(n).append("] ").append(role.isEmpty() ? "?" : role);
            JsonNode name = message.get("name");
            if (name != null && name.isTextual()) {
                sb.append(" (").append(name.textValue()).append(')');
            }
            sb.append(": ");
            boolean toolOutput = "tool".equals(role) || "function".equals(role);
            sb.append(headTail(Messages.text(message), toolOutput ? toolChars : messageChars)).append('\n');
            for (ToolCall call : ToolCall.of(message)) {
                sb.append("    -> calls ").append(call.name()).append(' ')
                        .append(headTail(call.rawArguments(), argumentChars)).append('\n');
            }
        }
        return sb.toString();
    }

    /** {@code text} when short enough, else its head (2/3) and tail (1/3) around a marker saying what was cut. */
    static String headTail(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int head = max * 2 / 3;
        int tail = max - head;
        return text.substring(0, head) + "\n[... " + (text.length() - head - tail) + " characters omitted ...]\n"
                + text.substring(text.length() - tail);
    }
}
