package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Chat messages for tests. */
final class Chat {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Chat() {
    }

    static ObjectNode system(String text) {
        return message("system", text);
    }

    static ObjectNode user(String text) {
        return message("user", text);
    }

    static ObjectNode assistant(String text) {
        return message("assistant", text);
    }

    /** An assistant message calling one tool; {@code argumentsJson} is sent as a string, as OpenAI does. */
    static ObjectNode call(String callId, String tool, String argumentsJson) {
        ObjectNode m = NODES.objectNode();
        m.put("role", "assistant");
        m.putNull("content");
        ObjectNode c = m.putArray("tool_calls").addObject();
        c.put("id", callId);
        c.put("type", "function");
        c.putObject("function").put("name", tool).put("arguments", argumentsJson);
        return m;
    }

    static ObjectNode tool(String callId, String output) {
        ObjectNode m = message("tool", output);
        m.put("tool_call_id", callId);
        return m;
    }

    static ArrayNode array(List<? extends JsonNode> messages) {
        ArrayNode a = NODES.arrayNode();
        a.addAll(messages);
        return a;
    }

    static ArrayNode array(JsonNode... messages) {
        return array(List.of(messages));
    }

    /** A copy of {@code messages} with more messages at the end (what a client resends next). */
    static ArrayNode plus(ArrayNode messages, JsonNode... more) {
        ArrayNode a = messages.deepCopy();
        for (JsonNode m : more) {
            a.add(m.deepCopy());
        }
        return a;
    }

    /**
     * A plain chat: a system message, then {@code exchanges} user/assistant pairs, each user message
     * {@code "question i ..."} padded to be worth compacting.
     */
    static ArrayNode conversation(int exchanges) {
        ArrayNode a = NODES.arrayNode();
        a.add(system("You are a helpful coding assistant."));
        for (int i = 1; i <= exchanges; i++) {
            a.add(user("question " + i + ": " + "please explain the build in detail. ".repeat(20)));
            a.add(assistant("answer " + i + ": " + "the build compiles every module in order. ".repeat(20)));
        }
        return a;
    }

    private static ObjectNode message(String role, String text) {
        ObjectNode m = NODES.objectNode();
        m.put("role", role);
        m.put("content", text);
        return m;
    }
}
