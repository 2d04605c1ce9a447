package io.kimi.features.memory;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.config.MemoryConfig;
import io.kimi.core.MemoryUsage;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.FeatureReport;
import io.kimi.features.NamedTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.time.Instant;
import java.util.List;

/**
 * MCP memory detection ({@code memory}), the last transformer: measures how much of a request's prompt is MCP
 * memory, and never changes the request.
 *
 * <p>It finds the markers described by {@link MarkerScanner} ({@code <mcp-memory>...</mcp-memory>},
 * {@code @memory[...]}, {@code @recall(...)}) in the string content, and the text parts of array content, of
 * every message. Memory tokens are the tokens of the markers' text, delimiters included (the tags and brackets
 * are memory overhead, not chat), counted as plain text per marker; chat tokens are the messages' tokens
 * ({@code TokenCounter.countMessage}) minus the memory tokens, never negative. Texts without {@code @} or
 * {@code <mcp-memory} are skipped at once; results for texts with markers are memoised in a small cache keyed
 * by the text and encoding.
 *
 * <p>Report: {@code changed} 0, tokens before and after both the total, and details {@code memory_tokens},
 * {@code chat_tokens}, {@code markers}, present on every run (so accounting can record each request, see
 * {@link #toUsage}). Thread-safe.
 */
public final class MemoryDetector extends NamedTransformer {
    /** The feature's wire name. */
    public static final String NAME = "memory";

    /** Default bound of the memo cache, in characters of cached text. */
    static final long MAX_CACHED_CHARS = 8L << 20;

    private final MemoryConfig config;
    private final Cache<TextKey, Found> memo;

    public MemoryDetector(MemoryConfig config) {
        super(NAME);
        this.config = requireNonNull(config, "config");
        this.memo = Caffeine.newBuilder()
                .maximumWeight(MAX_CACHED_CHARS)
                .weigher((TextKey key, Found found) -> Math.max(1, key.text().length()))
                .executor(Runnable::run)
                .build();
    }

    /** The configuration it was built with. */
    public MemoryConfig config() {
        return config;
    }

    @Override
    protected Transformed transform(ArrayNode messages, TransformContext context) {
        long total = 0;
        long memory = 0;
        int markers = 0;
        for (JsonNode message : messages) {
            if (!message.isObject()) {
                continue;
            }
            total += context.counter().countMessage(context.encoding(), message);
            JsonNode content = message.get("content");
            if (content == null) {
                continue;
            }
            if (content.isTextual()) {
                Found found = find(content.textValue(), context.counter(), context.encoding());
                memory += found.tokens();
                markers += found.markers();
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    String text = part.isTextual() ? part.textValue()
                            : "text".equals(part.path("type").asText()) ? part.path("text").asText("") : null;
                    if (text != null) {
                        Found found = find(text, context.counter(), context.encoding());
                        memory += found.tokens();
                        markers += found.markers();
                    }
                }
            }
        }
        int totalTokens = saturate(total);
        int memoryTokens = (int) Math.min(memory, totalTokens);
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("memory_tokens", memoryTokens);
        details.put("chat_tokens", totalTokens - memoryTokens);
        details.put("markers", markers);
        return new Transformed(messages, new FeatureReport(NAME, 0, totalTokens, totalTokens, details));
    }

    /**
     * The memory figures of one request, from this feature's report.
     *
     * @throws IllegalArgumentException when the report is not a {@code memory} report with its details
     */
    public static MemoryUsage toUsage(FeatureReport report, String sessionId, String requestId,
            Instant timestamp) {
        requireNonNull(report, "report");
        ObjectNode d = report.details();
        if (!NAME.equals(report.feature()) || !d.has("memory_tokens") || !d.has("chat_tokens")
                || !d.has("markers")) {
            throw new IllegalArgumentException("report: " + report.feature() + " " + d
                    + " (expected: a memory report with memory_tokens, chat_tokens and markers)");
        }
        return new MemoryUsage(requestId, sessionId, timestamp, d.get("memory_tokens").asInt(),
                d.get("chat_tokens").asInt(), d.get("markers").asInt());
    }

    private Found find(String text, TokenCounter counter, TokenEncoding encoding) {
        if (!MarkerScanner.mayHoldMarkers(text)) {
            return Found.NONE;
        }
        return memo.get(new TextKey(encoding, text), key -> count(text, counter, encoding));
    }

    private static Found count(String text, TokenCounter counter, TokenEncoding encoding) {
        List<int[]> spans = MarkerScanner.scan(text);
        long tokens = 0;
        for (int[] span : spans) {
            tokens += counter.countText(encoding, text.substring(span[0], span[1]));
        }
        return new Found(saturate(tokens), spans.size());
    }

    private static int saturate(long value) {
        return (int) Math.min(value, Integer.MAX_VALUE);
    }

    private record TextKey(TokenEncoding encoding, String text) {
    }

    private record Found(int tokens, int markers) {
        static final Found NONE = new Found(0, 0);
    }
}
