package io.kimi.features.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * A chat model the features can ask in-process. The server implements it with the proxy's own path (routing,
 * rate limits, context features, the provider's key, recording in the named session), so a feature's calls cost
 * and show like any client's, without an HTTP round trip to the server's own port and without its access token.
 */
@FunctionalInterface
public interface ChatModel {

    /**
     * Sends a non-streamed chat completion.
     *
     * @param sessionId the session the call is recorded in
     * @param request an OpenAI chat completion body ({@code model}, {@code messages}, {@code stream: false});
     *     not changed
     * @return the reply, whatever its status (an OpenAI error body for a refusal). Never blocks the caller.
     *     Cancelling it abandons the call (the provider's exchange is cancelled). It fails only when the call
     *     could not be made at all.
     */
    CompletableFuture<ChatReply> complete(String sessionId, ObjectNode request);
}
