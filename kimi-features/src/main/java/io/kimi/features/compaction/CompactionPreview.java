package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

/**
 * What compacting a session now would do, over its last conversation.
 *
 * @param sessionId the session
 * @param compactionId the id the compaction will have if executed next with the same messages
 * @param messagesTotal messages in the conversation
 * @param messagesReplaced messages the summary would replace
 * @param messagesKept messages kept as they are ({@code messagesTotal - messagesReplaced})
 * @param tokensBefore the conversation's message tokens now
 * @param tokensAfter the same with the summary in place of the replaced messages
 * @param summary the summary message's text, exactly as it would be sent
 * @param method {@value ModelSummarizer#METHOD} or {@value HeuristicSummarizer#METHOD}
 */
public record CompactionPreview(String sessionId, String compactionId, int messagesTotal, int messagesReplaced,
        int messagesKept, int tokensBefore, int tokensAfter, String summary, String method) {

    public CompactionPreview {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(compactionId, "compactionId");
        requireNonNull(summary, "summary");
        requireNonNull(method, "method");
    }

    public int savedTokens() {
        return tokensBefore - tokensAfter;
    }
}
