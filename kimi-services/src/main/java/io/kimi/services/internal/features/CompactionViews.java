package io.kimi.services.internal.features;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.CompactionRecord;
import io.kimi.features.compaction.CompactionPreview;

/** The wire form (snake_case) of compaction records and previews, for REST and events. */
public final class CompactionViews {
    private CompactionViews() {
    }

    /** Fills {@code n} with the record's fields; returns it. */
    public static ObjectNode record(ObjectNode n, CompactionRecord r) {
        n.put("compaction_id", r.compactionId())
                .put("session_id", r.sessionId())
                .put("created_at", r.createdAt().toString())
                .put("messages_replaced", r.messageHashes().size())
                .put("summary", r.summary())
                .put("method", r.method())
                .put("automatic", r.automatic())
                .put("tokens_before", r.tokensBefore())
                .put("tokens_after", r.tokensAfter())
                .put("saved_tokens", r.tokensBefore() - r.tokensAfter())
                .put("active", r.active())
                .put("undone_at", r.undoneAt() == null ? null : r.undoneAt().toString());
        return n;
    }

    public static ObjectNode preview(ObjectNode n, CompactionPreview p) {
        n.put("session_id", p.sessionId())
                .put("messages_total", p.messagesTotal())
                .put("messages_replaced", p.messagesReplaced())
                .put("messages_kept", p.messagesKept())
                .put("tokens_before", p.tokensBefore())
                .put("tokens_after", p.tokensAfter())
                .put("saved_tokens", p.savedTokens())
                .put("summary", p.summary())
                .put("method", p.method());
        return n;
    }
}
