package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading chat messages without trusting their shape: a missing or odd field reads as empty. */
final class Messages {
    private Messages() {
    }

    /** The message's role, or {@code ""} when it has none. */
    static String role(JsonNode message) {
        JsonNode role = message.get("role");
        return role != null && role.isTextual() ? role.textValue() : "";
    }

    /**
     * The message's text: its string content, or the {@code text} of its content parts joined by newlines;
     * {@code ""} when it has none.
     */
    static String text(JsonNode message) {
        JsonNode content = message.get("content");
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                JsonNode text = part.get("text");
                if (text != null && text.isTextual()) {
                    if (sb.length() > 0) {
                        sb.append('\n');
                    }
                    sb.append(text.textValue());
                }
            }
            return sb.toString();
        }
        return "";
    }

    /** Whether this is a summary message a compaction put in place of earlier messages. */
    static boolean isSummary(JsonNode message) {
        return "system".equals(role(message)) && text(message).startsWith(SummaryMessage.PREFIX);
    }

    /** A system (or developer) instruction written by the client, not one of our summaries. */
    static boolean isClientSystem(JsonNode message) {
        String role = role(message);
        return ("system".equals(role) || "developer".equals(role)) && !isSummary(message);
    }

    /** How many client system messages open the conversation (the leading system block, kept as it is). */
    static int leadingSystemCount(Iterable<JsonNode> messages) {
        int count = 0;
        for (JsonNode message : messages) {
            if (!isClientSystem(message)) {
                break;
            }
            count++;
        }
        return count;
    }

    /** {@code text} cut to {@code max} characters, with an ellipsis when cut. */
    static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, Math.max(0, max - 1)) + "…";
    }

    /** Runs of whitespace (newlines included) as one space, trimmed. */
    static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }
}
