package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The system message sent upstream in place of a compacted run. Its whole text is stored in the
 * {@link io.kimi.core.CompactionRecord#summary() record}, so the message (and its hash, which a later, stacked
 * compaction's run begins with) stays the same across restarts and versions.
 */
final class SummaryMessage {
    /** How every summary message begins; it marks the message as ours. */
    static final String PREFIX = "[kimi-compaction ";

    private SummaryMessage() {
    }

    /** The message's text: a header naming the compaction and what it replaced, then the summary. */
    static String content(String compactionId, int messagesReplaced, int tokensReplaced, String summary) {
        return PREFIX + compactionId + "] Summary of " + messagesReplaced + " earlier messages (" + tokensReplaced
                + " tokens), compacted by the proxy:\n" + summary;
    }

    /** {@code {"role":"system","content":content}}. */
    static ObjectNode message(String content) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("role", "system");
        message.put("content", content);
        return message;
    }
}
