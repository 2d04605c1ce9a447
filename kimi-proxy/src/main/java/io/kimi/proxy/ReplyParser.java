package io.kimi.proxy;

import com.fasterxml.jackson.core.JsonParser;
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
 * loop, and says whether the reply was a chat completion at all. Understands OpenAI's final usage chunk,
 * Moonshot's {@code choices[0].usage}, and the cached-token fields of OpenAI
 * ({@code prompt_tokens_details.cached_tokens}), Moonshot ({@code cached_tokens}) and DeepSeek
 * ({@code prompt_cache_hit_tokens}). Thread-safe.
 *
 * <p>A reply is <em>malformed</em> ({@link ParsedReply#malformed()}) when a body is empty, not JSON, or JSON
 * without a {@code choices} array, or when a stream has an event whose data is not JSON. A body longer than the
 * transcript is judged on its first bytes (a syntax error there, or something other than an object), its
 * generated text is read from them, and its usage from its tail.
 */
public final class ReplyParser {
    private static final Logger log = LoggerFactory.getLogger(ReplyParser.class);
    private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    /** How much of a malformed reply its description quotes. */
    private static final int SAMPLE_CHARS = 80;

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectReader strict = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses what the exchange kept of its reply. */
    public ParsedReply parse(ExchangeResult result) {
        return parse(result.transcript(), result.transcriptTail(), result.streamed(), result.transcriptTruncated());
    }

    /** Parses a whole reply (nothing of it was left out). */
    public ParsedReply parse(byte[] transcript, boolean streamed) {
        return parse(transcript, new byte[0], streamed, false);
    }

    /**
     * Parses what was kept of a reply.
     *
     * @param head the reply's first bytes (for a stream, whole events)
     * @param tail for a truncated body, its last bytes; for a truncated stream, a later event that may hold usage
     * @param truncated whether the reply was longer than {@code head} (and {@code tail})
     */
    public ParsedReply parse(byte[] head, byte[] tail, boolean streamed, boolean truncated) {
        if (streamed) {
            return parseStream(new String(head, StandardCharsets.UTF_8) + new String(tail, StandardCharsets.UTF_8));
        }
        return truncated ? parseBodyStart(head, tail) : parseBody(head);
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
        return new ParsedReply(usageOf(reply), text.toString(), finished, null);
    }

    /** A body longer than what was kept: its start read as far as it goes, its usage from its tail. */
    private ParsedReply parseBodyStart(byte[] head, byte[] tail) {
        BodyStart start = BodyStart.read(json.getFactory(), head);
        if (start.malformed() != null) {
            return malformed(start.malformed() + " (" + sample(head) + ")");
        }
        return new ParsedReply(usageInTail(tail), start.generatedText(), start.finished(), null);
    }

    /** The last {@code "usage": {...}} object in the tail of a body, or null. */
    private TokenUsage usageInTail(byte[] tail) {
        for (int at = lastIndexOf(tail, USAGE_KEY, tail.length); at >= 0; at = lastIndexOf(tail, USAGE_KEY, at - 1)) {
            int k = skipSpace(tail, at + USAGE_KEY.length);
            if (k < tail.length && tail[k] == ':') {
                k = skipSpace(tail, k + 1);
                if (k < tail.length && tail[k] == '{') {
                    try (JsonParser p = json.getFactory().createParser(tail, k, tail.length - k)) {
                        JsonNode node = json.readTree(p);
                        TokenUsage usage = node == null ? null : usage(node);
                        if (usage != null) {
                            return usage;
                        }
                    } catch (IOException e) {
                        log.debug("A usage object in the tail of a long reply is not JSON: {}", e.toString());
                    }
                }
            }
        }
        return null;
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

    static void appendGenerated(JsonNode message, StringBuilder out) {
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

    private static TokenUsage usage(JsonNode usage) {
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

    private static int skipSpace(byte[] bytes, int from) {
        int k = from;
        while (k < bytes.length && (bytes[k] == ' ' || bytes[k] == '\t' || bytes[k] == '\n' || bytes[k] == '\r')) {
            k++;
        }
        return k;
    }

    /** The last index at which {@code needle} starts, starting at or before {@code fromIndex}; -1 if none. */
    private static int lastIndexOf(byte[] bytes, byte[] needle, int fromIndex) {
        for (int i = Math.min(fromIndex, bytes.length - needle.length); i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
