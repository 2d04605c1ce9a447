package io.kimi.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.kimi.core.ServerJson;
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
 *
 * <p>{@link #reportedUsage} reads only the usage, for the requests whose completion is not counted locally: it
 * builds no text and parses only what may hold usage, and always agrees with {@code parse(...).reported()} (no
 * usage for a malformed body).
 */
public final class ReplyParser {
    private static final Logger log = LoggerFactory.getLogger(ReplyParser.class);

    /** How much of a malformed reply its description quotes. */
    private static final int SAMPLE_CHARS = 80;

    private final ObjectMapper json = ServerJson.newMapper();
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

    /**
     * The usage {@link #parse(ReplyTranscript, boolean)} would report, read more cheaply (see
     * {@link #reportedUsage(byte[], boolean)}); a body kept only in part is read as that method reads it.
     */
    public TokenUsage reportedUsage(ReplyTranscript transcript, boolean streamed) {
        if (!streamed && transcript.cut()) {
            return parse(transcript, false).reported();
        }
        if (transcript.tail().length == 0) {
            return reportedUsage(transcript.head(), streamed);
        }
        byte[] all = Arrays.copyOf(transcript.head(), transcript.keptBytes());
        System.arraycopy(transcript.tail(), 0, all, transcript.head().length, transcript.tail().length);
        return reportedUsage(all, streamed);
    }

    /** What a whole reply says: its JSON body, or its SSE events. */
    public ParsedReply parse(byte[] transcript, boolean streamed) {
        return streamed ? parseStream(new String(transcript, StandardCharsets.UTF_8)) : parseBody(transcript);
    }

    /**
     * The usage {@link #parse} would report, read more cheaply: for a stream, only the events whose bytes may hold
     * a {@code usage} key are parsed (the last one with usage wins, as in {@code parse}); for a body, the JSON is
     * scanned without building a tree or any text, and only the top-level {@code usage} value is read.
     */
    public TokenUsage reportedUsage(byte[] transcript, boolean streamed) {
        return streamed ? streamUsage(transcript) : bodyUsage(transcript);
    }

    /**
     * As {@link #parseBody} reads the usage: none unless the body is one JSON object with a {@code choices} array
     * and nothing after it (else it is malformed); the last {@code usage} and {@code choices} keys count, as in a
     * tree.
     */
    private TokenUsage bodyUsage(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try (JsonParser p = json.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null; // not an object (or not JSON): no choices, malformed
            }
            JsonNode usage = null;
            boolean choices = false;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("usage".equals(name)) {
                    usage = json.readTree(p);
                } else {
                    if ("choices".equals(name)) {
                        choices = value == JsonToken.START_ARRAY;
                    }
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null || !choices) {
                return null; // something after the object, or no choices array: malformed
            }
            return usage == null ? null : usage(usage);
        } catch (IOException e) {
            log.debug("Reply body is not JSON; no usage in it: {}", e.toString());
            return null;
        }
    }

    private TokenUsage streamUsage(byte[] sse) {
        TokenUsage usage = null;
        int pos = 0;
        int len = sse.length;
        while (pos < len) {
            int end = nextEventEnd(sse, pos);
            if (mayNameUsage(sse, pos, end)) {
                TokenUsage u = eventUsage(new String(sse, pos, end - pos, StandardCharsets.UTF_8));
                if (u != null) {
                    usage = u;
                }
            }
            pos = end;
        }
        return usage;
    }

    /** The usage of one SSE event as {@link #parseStream} reads it, or {@code null}. */
    private TokenUsage eventUsage(String event) {
        String data = SseEvents.data(event);
        if (data == null || data.isBlank() || data.strip().equals("[DONE]")) {
            return null;
        }
        try {
            JsonNode chunk = json.readTree(data);
            TokenUsage u = usageOf(chunk);
            for (JsonNode choice : chunk.path("choices")) {
                if (u == null) {
                    u = usage(choice.path("usage"));
                }
            }
            return u;
        } catch (IOException e) {
            log.debug("Skipping an SSE event that is not JSON: {}", e.toString());
            return null;
        }
    }

    /**
     * Whether {@code bytes[from, to)} may name a {@code usage} key: it holds {@code usage}, or a backslash-u escape
     * (a key may spell any letter of it so).
     */
    private static boolean mayNameUsage(byte[] bytes, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            byte b = bytes[i];
            if (b == '\\' && bytes[i + 1] == 'u') {
                return true;
            }
            if (b == 'u' && i + 5 <= to && bytes[i + 1] == 's' && bytes[i + 2] == 'a' && bytes[i + 3] == 'g'
                    && bytes[i + 4] == 'e') {
                return true;
            }
        }
        return false;
    }

    /** As {@link #nextEventEnd(String, int)}, on the bytes (line ends are ASCII, so the events are the same). */
    private static int nextEventEnd(byte[] s, int from) {
        boolean atLineStart = true;
        int len = s.length;
        for (int i = from; i < len; i++) {
            byte c = s[i];
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
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
