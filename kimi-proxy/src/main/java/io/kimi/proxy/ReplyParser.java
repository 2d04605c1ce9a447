package io.kimi.proxy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.kimi.core.TokenUsage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads usage and generated text out of a reply transcript ({@link ExchangeResult#transcript()}), off the event
 * loop. Understands OpenAI's final usage chunk, Moonshot's {@code choices[0].usage}, and the cached-token
 * fields of OpenAI ({@code prompt_tokens_details.cached_tokens}), Moonshot ({@code cached_tokens}) and
 * DeepSeek ({@code prompt_cache_hit_tokens}). Thread-safe.
 *
 * <p>Also says whether a reply was a chat completion at all ({@link ParsedReply#malformed()}): a body that is
 * empty, not JSON (or JSON followed by anything else), or JSON without a {@code choices} array is not, nor is a
 * stream with an event whose data is not JSON. A cut body is judged on its head ({@link JsonStart}).
 */
public final class ReplyParser {
    private static final Logger log = LoggerFactory.getLogger(ReplyParser.class);

    /** How much of a malformed reply its description quotes. */
    private static final int SAMPLE_CHARS = 80;

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectReader strict = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final CutBody cutBody = new CutBody(json);

    /**
     * What a kept reply says: a stream's kept events (and its last usage event past the limit), a whole body, or
     * the head and tail of a body that was cut ({@link CutBody}).
     */
    public ParsedReply parse(ReplyTranscript transcript, boolean streamed) {
        if (!streamed && transcript.cut()) {
            String malformed = JsonStart.malformed(json.getFactory(), transcript.head());
            if (malformed != null) {
                return malformed(malformed + " (" + sample(transcript.head()) + ")");
            }
            return cutBody.parse(transcript.head(), transcript.tail());
        }
        if (transcript.tail().length == 0) {
            return parse(transcript.head(), streamed);
        }
        byte[] all = Arrays.copyOf(transcript.head(), transcript.keptBytes());
        System.arraycopy(transcript.tail(), 0, all, transcript.head().length, transcript.tail().length);
        return parse(all, streamed);
    }

    /** What a whole reply says: its JSON body, or its SSE events. */
    public ParsedReply parse(byte[] transcript, boolean streamed) {
        return streamed ? parseStream(new String(transcript, StandardCharsets.UTF_8)) : parseBody(transcript);
    }

    private ParsedReply parseBody(byte[] body) {
        if (body.length == 0) {
            return malformed("an empty body");
        }
        JsonNode reply;
        try {
            reply = strict.readTree(body);
        } catch (IOException e) {
            log.debug("Reply body is not JSON; counting nothing from it: {}", e.toString());
            return malformed("a body that is not JSON (" + sample(body) + ")");
        }
        if (reply == null || !reply.path("choices").isArray()) {
            return malformed("JSON without a \"choices\" array (" + sample(body) + ")");
        }
        StringBuilder text = new StringBuilder();
        boolean finished = false;
        for (JsonNode choice : reply.path("choices")) {
            appendGenerated(choice.path("message"), text);
            finished |= choice.hasNonNull("finish_reason");
        }
        return new ParsedReply(usageOf(reply), text.toString(), finished);
    }

    private ParsedReply parseStream(String sse) {
        StringBuilder text = new StringBuilder();
        TokenUsage usage = null;
        boolean finished = false;
        String malformed = null;
        int pos = 0;
        int len = sse.length();
        while (pos < len) {
            int end = nextEventEnd(sse, pos);
            String data = SseEvents.data(sse.substring(pos, end));
            pos = end;
            if (data == null || data.isBlank()) {
                continue;
            }
            if (data.strip().equals("[DONE]")) {
                finished = true;
                continue;
            }
            try {
                JsonNode chunk = json.readTree(data);
                TokenUsage u = usageOf(chunk);
                for (JsonNode choice : chunk.path("choices")) {
                    appendGenerated(choice.path("delta"), text);
                    if (u == null) {
                        u = usage(choice.path("usage"));
                    }
                    finished |= choice.hasNonNull("finish_reason");
                }
                if (u != null) {
                    usage = u;
                }
            } catch (IOException e) {
                log.debug("Skipping an SSE event that is not JSON: {}", e.toString());
                if (malformed == null) {
                    malformed = "an event that is not JSON (" + sample(data.getBytes(StandardCharsets.UTF_8)) + ")";
                }
            }
        }
        return new ParsedReply(usage, text.toString(), finished, malformed);
    }

    private static ParsedReply malformed(String why) {
        return new ParsedReply(null, "", false, why);
    }

    /** The reply's first characters, quoted, with control characters as spaces; for describing what came. */
    static String sample(byte[] bytes) {
        String start = new String(bytes, 0, Math.min(bytes.length, SAMPLE_CHARS * 4), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder("starts with \"");
        start.codePoints().limit(SAMPLE_CHARS).forEach(c -> out.appendCodePoint(Character.isISOControl(c)
                || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR ? ' ' : c));
        boolean cut = start.codePointCount(0, start.length()) > SAMPLE_CHARS || bytes.length > SAMPLE_CHARS * 4;
        return out.append(cut ? "...\"" : "\"").toString();
    }

    /** The end of the event starting at {@code from}: after its blank line, or the end of the text. */
    private static int nextEventEnd(String s, int from) {
        boolean atLineStart = true;
        int len = s.length();
        for (int i = from; i < len; i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < len && s.charAt(i + 1) == '\n') {
                    i++;
                }
                if (atLineStart) {
                    return i + 1;
                }
                atLineStart = true;
            } else {
                atLineStart = false;
            }
        }
        return len;
    }

    private static void appendGenerated(JsonNode message, StringBuilder out) {
        appendText(message.get("content"), out);
        appendText(message.get("reasoning_content"), out);
        appendText(message.get("reasoning"), out);
        appendText(message.get("refusal"), out);
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            appendText(function.get("name"), out);
            appendText(function.get("arguments"), out);
        }
    }

    private static void appendText(JsonNode node, StringBuilder out) {
        if (node != null && node.isTextual()) {
            out.append(node.asText());
        } else if (node != null && node.isArray()) {
            for (JsonNode part : node) {
                appendText(part.get("text"), out);
            }
        }
    }

    private static TokenUsage usageOf(JsonNode chunk) {
        return usage(chunk.path("usage"));
    }

    static TokenUsage usage(JsonNode usage) {
        if (!usage.isObject() || !usage.has("prompt_tokens")) {
            return null;
        }
        int prompt = usage.path("prompt_tokens").asInt(0);
        int completion = usage.path("completion_tokens").asInt(0);
        int cached = usage.path("prompt_tokens_details").path("cached_tokens").asInt(0);
        if (cached == 0) {
            cached = usage.path("cached_tokens").asInt(0);
        }
        if (cached == 0) {
            cached = usage.path("prompt_cache_hit_tokens").asInt(0);
        }
        return new TokenUsage(Math.max(prompt, 0), Math.max(completion, 0), Math.max(0, Math.min(cached, prompt)));
    }
}
