package io.kimi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;

/** Chat messages and request bodies for the context features' end-to-end tests, and a bounded poll. */
final class Chats {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Counts as the server does (cl100k_base, every configured model's encoding in {@link KimiServerExtension}). */
    static final TokenCounter COUNTER = new TokenCounter(16L << 20);

    private Chats() {
    }

    static ObjectNode message(String role, String content) {
        return NODES.objectNode().put("role", role).put("content", content);
    }

    static ObjectNode toolResult(String callId, String content) {
        return message("tool", content).put("tool_call_id", callId);
    }

    /** An assistant message calling one tool with JSON-string arguments. */
    static ObjectNode toolCall(String callId, String function, String argumentsJson) {
        ObjectNode m = NODES.objectNode().put("role", "assistant");
        m.putNull("content");
        ObjectNode call = m.putArray("tool_calls").addObject();
        if (callId != null) {
            call.put("id", callId);
        }
        call.put("type", "function");
        call.putObject("function").put("name", function).put("arguments", argumentsJson);
        return m;
    }

    static ArrayNode messages(JsonNode... messages) {
        ArrayNode a = NODES.arrayNode();
        for (JsonNode m : messages) {
            a.add(m.deepCopy());
        }
        return a;
    }

    /** A copy of {@code history} followed by {@code more}. */
    static ArrayNode append(ArrayNode history, JsonNode... more) {
        ArrayNode a = history.deepCopy();
        for (JsonNode m : more) {
            a.add(m.deepCopy());
        }
        return a;
    }

    static String body(String model, ArrayNode messages) {
        ObjectNode b = NODES.objectNode().put("model", model).put("stream", false);
        b.set("messages", messages);
        return b.toString();
    }

    /** Deterministic source-like text of about {@code lines} × 20 tokens, distinct per {@code seed}. */
    static String bigOutput(String seed, int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            sb.append(String.format("%4d |     private final Map<String, %sOrder> ordersById%d = new HashMap<>(); "
                    + "// cache %d of %s%n", i, seed, i, i * 7, seed));
        }
        return sb.toString();
    }

    /** Prompt tokens of a request body's messages, as the proxy counts them. */
    static int promptTokens(JsonNode requestBody) {
        return COUNTER.countPrompt(TokenEncoding.CL100K_BASE, requestBody);
    }
}
