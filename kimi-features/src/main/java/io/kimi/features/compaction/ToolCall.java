package io.kimi.features.compaction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ServerJson;
import java.util.ArrayList;
import java.util.List;

/**
 * One tool call of an assistant message, read leniently.
 *
 * @param name the function's name ({@code ""} when missing)
 * @param arguments the arguments when they are (or parse as) a JSON object, else {@code null}
 * @param rawArguments the arguments as sent ({@code ""} when missing)
 */
record ToolCall(String name, JsonNode arguments, String rawArguments) {
    private static final ObjectMapper JSON = ServerJson.newMapper();

    /** The tool calls of {@code message} ({@code tool_calls}, or a legacy {@code function_call}). */
    static List<ToolCall> of(JsonNode message) {
        List<ToolCall> calls = new ArrayList<>();
        JsonNode toolCalls = message.get("tool_calls");
        if (toolCalls != null && toolCalls.isArray()) {
            for (JsonNode call : toolCalls) {
                JsonNode function = call.get("function");
                if (function != null && function.isObject()) {
                    calls.add(read(function));
                }
            }
        }
        JsonNode legacy = message.get("function_call");
        if (legacy != null && legacy.isObject()) {
            calls.add(read(legacy));
        }
        return calls;
    }

    private static ToolCall read(JsonNode function) {
        String name = function.path("name").asText("");
        JsonNode args = function.get("arguments");
        if (args == null || args.isNull()) {
            return new ToolCall(name, null, "");
        }
        if (args.isObject()) {
            return new ToolCall(name, args, args.toString());
        }
        String raw = args.asText("");
        return new ToolCall(name, parseObject(raw), raw);
    }

    private static JsonNode parseObject(String raw) {
        if (raw.isBlank() || raw.length() > 1_000_000) {
            return null;
        }
        try {
            JsonNode parsed = JSON.readTree(raw);
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (JsonProcessingException e) {
            return null; // malformed arguments are shown raw; not an error of ours
        }
    }
}
