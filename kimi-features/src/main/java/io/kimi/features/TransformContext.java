package io.kimi.features;

import static java.util.Objects.requireNonNull;

import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import java.time.Instant;

/**
 * What a transformer may know about the request it transforms.
 *
 * @param sessionId the session the request counts in
 * @param requestId our id for the request
 * @param model the model key the client asked for
 * @param encoding the model's token encoding
 * @param contextWindow the model's context window, in tokens
 * @param counter the shared, memoising token counter
 * @param now when the request arrived
 */
public record TransformContext(String sessionId, String requestId, String model, TokenEncoding encoding,
        int contextWindow, TokenCounter counter, Instant now) {

    public TransformContext {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(requestId, "requestId");
        requireNonNull(model, "model");
        requireNonNull(encoding, "encoding");
        requireNonNull(counter, "counter");
        requireNonNull(now, "now");
    }
}
