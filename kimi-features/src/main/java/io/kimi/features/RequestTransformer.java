package io.kimi.features;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * One step of the request path that may change a chat completion's {@code messages} before it goes upstream.
 * Transformers run in a fixed order (tool-call repair, sanitizer, compaction, MCP memory detection; see
 * {@code docs/features.md}) and each reports what it changed, so nothing is changed silently.
 *
 * <p>Contract: never mutate {@code messages} or any node in it. Return the same instance when nothing changed,
 * else a new array (copying only the messages that change). Give up cleanly on input you cannot handle: return
 * {@link Transformed#unchanged}. Implementations are thread-safe and must not block (they run on the request
 * path, possibly on an event loop): anything slow (storing, summarising) is handed to another thread.
 */
public interface RequestTransformer {

    /** The feature's wire name: {@code tool_repair}, {@code sanitizer}, {@code compaction}, {@code memory}. */
    String name();

    Transformed apply(ArrayNode messages, TransformContext context);
}
