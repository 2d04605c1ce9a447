package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.core.tokens.TokenEncoding;
import java.time.Instant;

/**
 * A session's last conversation as the proxy sent it upstream (after the compactions that apply now).
 *
 * @param sessionId the session
 * @param messages the messages (never changed)
 * @param encoding the token encoding of the request's model, for counting
 * @param model the model key the request asked for
 * @param contextWindow that model's context window
 * @param seenAt when the request arrived
 */
record Conversation(String sessionId, ArrayNode messages, TokenEncoding encoding, String model, int contextWindow,
        Instant seenAt) {
}
