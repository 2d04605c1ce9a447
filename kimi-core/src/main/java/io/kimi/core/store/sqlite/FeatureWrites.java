package io.kimi.core.store.sqlite;

import io.kimi.core.CompactionRecord;
import io.kimi.core.MaskedContent;
import io.kimi.core.MemoryUsage;
import org.jdbi.v3.core.Handle;

/** The SQL of the context features' records (masks, compactions, memory figures), in the writer's transaction. */
final class FeatureWrites {
    private static final String INSERT_MASK = "INSERT OR IGNORE INTO masks (hash, session_id, request_id, role,"
            + " tool_name, original_tokens, placeholder_tokens, content, created_at)"
            + " VALUES (:hash, :session_id, :request_id, :role, :tool_name, :original_tokens,"
            + " :placeholder_tokens, :content, :created_at)";

    private static final String UPSERT_COMPACTION = "INSERT INTO compactions (compaction_id, session_id,"
            + " created_at, message_hashes, summary, method, automatic, tokens_before, tokens_after, undone_at)"
            + " VALUES (:compaction_id, :session_id, :created_at, :message_hashes, :summary, :method, :automatic,"
            + " :tokens_before, :tokens_after, :undone_at)"
            + " ON CONFLICT (compaction_id) DO UPDATE SET session_id = excluded.session_id,"
            + " created_at = excluded.created_at, message_hashes = excluded.message_hashes,"
            + " summary = excluded.summary, method = excluded.method, automatic = excluded.automatic,"
            + " tokens_before = excluded.tokens_before, tokens_after = excluded.tokens_after,"
            + " undone_at = excluded.undone_at";

    /** Adds one request's memory figures to its session's sums (the row is made by the session's first). */
    private static final String ADD_MEMORY_TOTALS = "INSERT INTO memory_totals (session_id, requests, with_memory,"
            + " memory_tokens, chat_tokens, markers) VALUES (?, 1, ?, ?, ?, ?)"
            + " ON CONFLICT (session_id) DO UPDATE SET requests = requests + 1,"
            + " with_memory = with_memory + excluded.with_memory,"
            + " memory_tokens = memory_tokens + excluded.memory_tokens,"
            + " chat_tokens = chat_tokens + excluded.chat_tokens, markers = markers + excluded.markers";

    private static final String UPSERT_MEMORY_USAGE = "INSERT INTO memory_usage (request_id, session_id,"
            + " timestamp, memory_tokens, chat_tokens, markers) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (request_id) DO UPDATE SET session_id = excluded.session_id,"
            + " timestamp = excluded.timestamp, memory_tokens = excluded.memory_tokens,"
            + " chat_tokens = excluded.chat_tokens, markers = excluded.markers";

    private FeatureWrites() {
    }

    /** Inserts the mask unless one with its hash is stored already; returns whether it was inserted. */
    static Boolean saveMask(Handle h, MaskedContent m) {
        return h.createUpdate(INSERT_MASK)
                .bind("hash", m.hash())
                .bind("session_id", m.sessionId())
                .bind("request_id", m.requestId())
                .bind("role", m.role())
                .bind("tool_name", m.toolName())
                .bind("original_tokens", m.originalTokens())
                .bind("placeholder_tokens", m.placeholderTokens())
                .bind("content", m.content())
                .bind("created_at", SqliteTime.format(m.createdAt()))
                .execute() > 0;
    }

    /** @param messageHashesJson the compaction's message hashes as a JSON array */
    static Void saveCompaction(Handle h, CompactionRecord c, String messageHashesJson) {
        h.createUpdate(UPSERT_COMPACTION)
                .bind("compaction_id", c.compactionId())
                .bind("session_id", c.sessionId())
                .bind("created_at", SqliteTime.format(c.createdAt()))
                .bind("message_hashes", messageHashesJson)
                .bind("summary", c.summary())
                .bind("method", c.method())
                .bind("automatic", c.automatic() ? 1 : 0)
                .bind("tokens_before", c.tokensBefore())
                .bind("tokens_after", c.tokensAfter())
                .bind("undone_at", SqliteTime.format(c.undoneAt()))
                .execute();
        return null;
    }

    /**
     * Adds the request's figures to its session's sums ({@code memory_totals}), and keeps a row of its own in
     * {@code memory_usage} only when it held memory markers.
     */
    static Void saveMemoryUsage(Handle h, MemoryUsage u) {
        Positional.of(h, ADD_MEMORY_TOTALS)
                .text(u.sessionId())
                .integer(u.markers() > 0 ? 1 : 0)
                .integer(u.memoryTokens())
                .integer(u.chatTokens())
                .integer(u.markers())
                .execute();
        if (u.markers() == 0) {
            return null;
        }
        Positional.of(h, UPSERT_MEMORY_USAGE)
                .text(u.requestId())
                .text(u.sessionId())
                .text(SqliteTime.format(u.timestamp()))
                .integer(u.memoryTokens())
                .integer(u.chatTokens())
                .integer(u.markers())
                .execute();
        return null;
    }
}
