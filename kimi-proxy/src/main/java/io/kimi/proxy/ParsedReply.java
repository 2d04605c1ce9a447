package io.kimi.proxy;

import io.kimi.core.TokenUsage;

/**
 * What a reply said about itself.
 *
 * @param reported the provider's usage, or {@code null} when it reported none
 * @param completionText the generated text (content, reasoning and tool-call arguments) for our own count
 * @param finished whether the reply reached its end ({@code finish_reason} or {@code [DONE]})
 * @param malformed why the reply is not a chat completion (e.g. {@code a body that is not JSON (starts with
 *     "<!DOCTYPE html>...")}), or {@code null} when it is one
 */
public record ParsedReply(TokenUsage reported, String completionText, boolean finished, String malformed) {

    /** A well-formed reply. */
    public ParsedReply(TokenUsage reported, String completionText, boolean finished) {
        this(reported, completionText, finished, null);
    }
}
