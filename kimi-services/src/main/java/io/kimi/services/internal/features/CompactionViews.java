package io.kimi.services.internal.features;

import io.kimi.core.CompactionRecord;
import io.kimi.features.compaction.CompactionPreview;
import io.kimi.protocol.CompactionPreviewView;
import io.kimi.protocol.CompactionView;

/** The wire records of compaction records and previews, for REST and events. */
public final class CompactionViews {
    private CompactionViews() {
    }

    public static CompactionView record(CompactionRecord r) {
        return new CompactionView(r.compactionId(), r.sessionId(), r.createdAt().toString(), r.messageHashes().size(),
                r.summary(), r.method(), r.automatic(), r.tokensBefore(), r.tokensAfter(),
                r.tokensBefore() - r.tokensAfter(), r.active(), r.undoneAt() == null ? null : r.undoneAt().toString());
    }

    public static CompactionPreviewView preview(CompactionPreview p) {
        return new CompactionPreviewView(p.sessionId(), p.messagesTotal(), p.messagesReplaced(), p.messagesKept(),
                p.tokensBefore(), p.tokensAfter(), p.savedTokens(), p.summary(), p.method());
    }
}
