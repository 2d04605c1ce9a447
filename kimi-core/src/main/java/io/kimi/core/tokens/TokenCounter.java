package io.kimi.core.tokens;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts tokens with jtokkit, locally, the way OpenAI bills chat requests.
 *
 * <p>{@link #countPrompt} follows OpenAI's cookbook "How to count tokens with tiktoken": 3 tokens per message,
 * the tokens of each of its string fields, 1 more for a {@code name}, and 3 to prime the reply. It reproduces
 * the cookbook's example exactly (129 tokens in cl100k_base, 124 in o200k_base). Beyond the cookbook, these
 * are estimates: image (and other non-text) content parts count a flat 85 tokens; each assistant tool call
 * counts its function name and arguments plus 3; each tool definition in {@code tools} (or legacy
 * {@code functions}) counts its compact JSON text plus 7, and the tool list 12 once.
 *
 * <p>Counts are memoised per message (and per tool definition) in a cache bounded by the total length of the
 * cached messages' JSON text. Keys compare the exact JSON content, never only a hash, so equal keys mean equal
 * messages: a conversation that grows by one message costs one message's tokenization, and looking up the
 * messages already counted serialises nothing (see {@link CountKey}).
 *
 * <p>Text is always encoded as ordinary text: special-token strings such as {@code <|endoftext|>} in user
 * content are counted as the characters they are, and never throw.
 *
 * <p>Time and memory grow with the text's length, not faster: a run of more than {@value LongRuns#LONG_RUN}
 * characters of one kind (one long word, a long stretch of spaces) is encoded in segments, see {@link LongRuns}.
 *
 * <p>Thread-safe.
 */
public final class TokenCounter {
    private final Map<TokenEncoding, Encoding> encodings = new EnumMap<>(TokenEncoding.class);
    private final Cache<CountKey, Integer> cache;

    /**
     * @param maxCachedChars bound of the memo cache, in characters of cached JSON text (0 disables caching)
     */
    public TokenCounter(long maxCachedChars) {
        if (maxCachedChars < 0) {
            throw new IllegalArgumentException("maxCachedChars: " + maxCachedChars + " (expected: >= 0)");
        }
        EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
        for (TokenEncoding encoding : TokenEncoding.values()) {
            encodings.put(encoding, registry.getEncoding(encodingType(encoding)));
        }
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxCachedChars)
                .weigher((CountKey key, Integer count) -> key.weight())
                // Maintenance (eviction) on the calling thread: no common-pool tasks, deterministic bound.
                .executor(Runnable::run)
                .recordStats()
                .build();
    }

    /**
     * Tokens of plain text, encoded as ordinary text (special-token strings are not special). A run of more than
     * {@value LongRuns#LONG_RUN} characters of one kind is counted in {@value LongRuns#SEGMENT}-character segments
     * ({@link LongRuns}), so that one long word costs time and memory in proportion to its length.
     */
    public int countText(TokenEncoding encoding, String text) {
        requireNonNull(encoding, "encoding");
        requireNonNull(text, "text");
        if (text.isEmpty()) {
            return 0;
        }
        Encoding encoder = encodings.get(encoding);
        return LongRuns.count(text, encoder::countTokensOrdinary);
    }

    /** Tokens of generated text (a reply, or the part of it that streamed so far). */
    public int countCompletion(TokenEncoding encoding, String text) {
        return countText(encoding, text);
    }

    /**
     * Prompt tokens of an OpenAI chat completion request body: its {@code messages}, plus its {@code tools} (or
     * legacy {@code functions}) definitions. See the class comment for the rules and which parts are estimates.
     *
     * @throws IllegalArgumentException when {@code messages} is missing, not an array, or holds a non-object
     */
    public int countPrompt(TokenEncoding encoding, JsonNode request) {
        requireNonNull(encoding, "encoding");
        requireNonNull(request, "request");
        JsonNode messages = request.get("messages");
        if (messages == null || messages.isNull()) {
            throw new IllegalArgumentException("messages: missing (expected: an array of message objects)");
        }
        if (!messages.isArray()) {
            throw new IllegalArgumentException(
                    "messages: " + messages.getNodeType() + " (expected: an array of message objects)");
        }
        int tokens = ChatTokenRules.REPLY_PRIMING;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw new IllegalArgumentException(
                        "messages[" + i + "]: " + message.getNodeType() + " (expected: an object)");
            }
            tokens += cached(encoding, CountKey.Kind.MESSAGE, message);
        }
        tokens += countTools(encoding, request.get("tools"));
        tokens += countTools(encoding, request.get("functions"));
        return tokens;
    }

    /**
     * Tokens of one chat message (role, content, name, tool calls and the per-message overhead), memoised by
     * its exact JSON content like {@link #countPrompt}'s messages, so summing messages equals the prompt count
     * minus the reply priming and tool definitions.
     *
     * @throws IllegalArgumentException when {@code message} is not an object
     */
    public int countMessage(TokenEncoding encoding, JsonNode message) {
        requireNonNull(encoding, "encoding");
        requireNonNull(message, "message");
        if (!message.isObject()) {
            throw new IllegalArgumentException("message: " + message.getNodeType() + " (expected: an object)");
        }
        return cached(encoding, CountKey.Kind.MESSAGE, message);
    }

    /** Hits, misses, evictions and the current size of the memo cache. */
    public TokenCacheStats cacheStats() {
        cache.cleanUp();
        CacheStats stats = cache.stats();
        long weight = cache.policy().eviction()
                .map(eviction -> eviction.weightedSize().orElse(0L))
                .orElse(0L);
        return new TokenCacheStats(stats.hitCount(), stats.missCount(), stats.evictionCount(),
                cache.estimatedSize(), weight);
    }

    private int countTools(TokenEncoding encoding, JsonNode tools) {
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            return 0;
        }
        int tokens = ChatTokenRules.TOOLS_FRAMING;
        for (JsonNode tool : tools) {
            if (tool.isObject()) {
                tokens += cached(encoding, CountKey.Kind.TOOL, tool);
            }
        }
        return tokens;
    }

    /**
     * The memoised count of one message or tool. The lookup key is built without serialising the node (see
     * {@link CountKey}); only a miss, which tokenizes anyway, copies the node into the stored key.
     */
    private int cached(TokenEncoding encoding, CountKey.Kind kind, JsonNode node) {
        CountKey probe = CountKey.probe(encoding, kind, node);
        Integer known = cache.getIfPresent(probe);
        if (known != null) {
            return known;
        }
        int tokens = kind == CountKey.Kind.MESSAGE
                ? ChatTokenRules.countMessage(node, text -> countText(encoding, text))
                : ChatTokenRules.countTool(node, text -> countText(encoding, text));
        cache.put(probe.detached(), tokens);
        return tokens;
    }

    private static EncodingType encodingType(TokenEncoding encoding) {
        return switch (encoding) {
            case CL100K_BASE -> EncodingType.CL100K_BASE;
            case O200K_BASE -> EncodingType.O200K_BASE;
        };
    }
}
