package io.kimi.services.internal;

import io.kimi.core.TokenUsage;

/**
 * A finished exchange's reply as counted by {@link ReplyCounter}.
 *
 * @param reported the provider's usage, or {@code null} when it reported none (or the reply could not be read)
 * @param completionTokens our estimate of the completion: the tokens counted in the kept text, plus those of the
 *     bytes past the kept part estimated from their size
 * @param estimatedReplyBytes reply bytes whose tokens were estimated from their size instead of counted
 * @param accountingError why counting failed (a short reason, never content), or {@code null}
 * @param malformed why the reply is not a chat completion ({@link io.kimi.proxy.ParsedReply#malformed()}), or
 *     {@code null} when it is one or could not be read
 * @param completionCounted whether the completion was counted (or estimated) at all: false for a reply with
 *     reported usage left out of the sample ({@code [server] estimate_sample_every}), whose completion tokens are 0
 */
record CountedReply(TokenUsage reported, int completionTokens, long estimatedReplyBytes, String accountingError,
        String malformed, boolean completionCounted) {

    /** A reply with reported usage whose completion was not counted. */
    static CountedReply uncounted(TokenUsage reported, String malformed) {
        return new CountedReply(reported, 0, 0, null, malformed, false);
    }
}
