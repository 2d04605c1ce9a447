package io.kimi.core.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * How one chat message or one tool definition turns into tokens, after OpenAI's cookbook "How to count tokens
 * with tiktoken" (gpt-3.5-turbo-0613 / gpt-4 / gpt-4o rules), extended to the fields it leaves out. The text
 * counting itself is passed in.
 */
final class ChatTokenRules {
    /** Every message is wrapped as {@code <|start|>{role/name}\n{content}<|end|>\n}. */
    static final int TOKENS_PER_MESSAGE = 3;
    /** A {@code name} costs one token beyond its text. */
    static final int TOKENS_PER_NAME = 1;
    /** Every reply is primed with {@code <|start|>assistant<|message|>}. */
    static final int REPLY_PRIMING = 3;
    /** Flat estimate for an image part (OpenAI's price of a low-detail image); also used for unknown parts. */
    static final int IMAGE_PART_TOKENS = 85;
    /** Estimated framing of one tool call in an assistant message (beyond its name and arguments). */
    static final int TOKENS_PER_TOOL_CALL = 3;
    /** Estimated framing of one tool definition (beyond its compact JSON text). */
    static final int TOKENS_PER_TOOL = 7;
    /** Estimated framing of the whole tool list, once, when there is one. */
    static final int TOOLS_FRAMING = 12;

    private ChatTokenRules() {
    }

    /**
     * One message: {@link #TOKENS_PER_MESSAGE} plus the tokens of each string field ({@code role},
     * {@code content}, {@code name} + {@link #TOKENS_PER_NAME}, {@code tool_call_id}, and any other string such
     * as {@code reasoning_content}); {@code content} parts; {@code tool_calls} and the legacy
     * {@code function_call}. Non-string fields of other names (numbers, booleans, objects) are not sent as
     * text and count nothing.
     */
    static int countMessage(JsonNode message, ToIntFunction<String> text) {
        int tokens = TOKENS_PER_MESSAGE;
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "content" -> tokens += countContent(value, text);
                case "tool_calls" -> tokens += countToolCalls(value, text);
                case "function_call" -> tokens += countFunctionCall(value, text);
                case "name" -> tokens += value.isTextual() ? text.applyAsInt(value.asText()) + TOKENS_PER_NAME : 0;
                default -> tokens += value.isTextual() ? text.applyAsInt(value.asText()) : 0;
            }
        }
        return tokens;
    }

    /**
     * One tool definition: {@link #TOKENS_PER_TOOL} plus the tokens of its {@code function} object's compact
     * JSON text (the whole tool's when there is no {@code function}). An estimate: OpenAI renders tools in its
     * own format, so this is close but not exact.
     */
    static int countTool(JsonNode tool, ToIntFunction<String> text) {
        JsonNode function = tool.has("function") ? tool.get("function") : tool;
        return TOKENS_PER_TOOL + text.applyAsInt(function.toString());
    }

    private static int countContent(JsonNode content, ToIntFunction<String> text) {
        if (content.isTextual()) {
            return text.applyAsInt(content.asText());
        }
        if (!content.isArray()) {
            return 0; // null content (an assistant message with tool calls)
        }
        int tokens = 0;
        for (JsonNode part : content) {
            tokens += countPart(part, text);
        }
        return tokens;
    }

    private static int countPart(JsonNode part, ToIntFunction<String> text) {
        if (part.isTextual()) {
            return text.applyAsInt(part.asText());
        }
        String type = part.path("type").asText("");
        return switch (type) {
            case "text" -> text.applyAsInt(part.path("text").asText(""));
            case "refusal" -> text.applyAsInt(part.path("refusal").asText(""));
            default -> IMAGE_PART_TOKENS; // image_url, input_audio, file, ...: a flat estimate
        };
    }

    private static int countToolCalls(JsonNode calls, ToIntFunction<String> text) {
        if (!calls.isArray()) {
            return 0;
        }
        int tokens = 0;
        for (JsonNode call : calls) {
            tokens += countFunctionCall(call.path("function"), text);
        }
        return tokens;
    }

    private static int countFunctionCall(JsonNode function, ToIntFunction<String> text) {
        if (!function.isObject()) {
            return 0;
        }
        return TOKENS_PER_TOOL_CALL
                + text.applyAsInt(textOf(function.path("name")))
                + text.applyAsInt(textOf(function.path("arguments")));
    }

    /** A string's text; any other value's compact JSON (some clients send arguments as an object). */
    private static String textOf(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        return value.isMissingNode() || value.isNull() ? "" : value.toString();
    }
}
