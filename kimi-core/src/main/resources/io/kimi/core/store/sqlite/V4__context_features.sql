-- V4: what the context features keep: masked content, compactions and MCP memory figures per request.
-- Each row belongs to a proxy session and goes with it (ON DELETE CASCADE; the session_id indexes serve the
-- cascade's lookup).

-- Content the sanitizer replaced by a placeholder, by content hash; the first request that masked it wins.
CREATE TABLE masks (
    hash               TEXT    NOT NULL PRIMARY KEY,
    session_id         TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    request_id         TEXT    NOT NULL,
    role               TEXT    NOT NULL,
    tool_name          TEXT,
    original_tokens    INTEGER NOT NULL,
    placeholder_tokens INTEGER NOT NULL,
    content            TEXT    NOT NULL,
    created_at         TEXT    NOT NULL
);

-- listMasks, newest first (rowid breaks ties in insertion order)
CREATE INDEX idx_masks_created ON masks (created_at);
-- the cascade's lookup
CREATE INDEX idx_masks_session ON masks (session_id);

-- A run of messages replaced by one summary; message_hashes is a JSON array of their hashes, in conversation
-- order; undone_at is NULL while it applies.
CREATE TABLE compactions (
    compaction_id  TEXT    NOT NULL PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    created_at     TEXT    NOT NULL,
    message_hashes TEXT    NOT NULL,
    summary        TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    automatic      INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    tokens_before  INTEGER NOT NULL,
    tokens_after   INTEGER NOT NULL,
    undone_at      TEXT
);

-- listCompactions(session), newest first; also the cascade's lookup
CREATE INDEX idx_compactions_session_created ON compactions (session_id, created_at);
-- listActiveCompactions, oldest first
CREATE INDEX idx_compactions_active_created ON compactions (created_at) WHERE undone_at IS NULL;

-- One row per request: how much of its prompt was MCP memory.
CREATE TABLE memory_usage (
    request_id    TEXT    NOT NULL PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    timestamp     TEXT    NOT NULL,
    memory_tokens INTEGER NOT NULL,
    chat_tokens   INTEGER NOT NULL,
    markers       INTEGER NOT NULL
);

-- memoryStats(session); also the cascade's lookup
CREATE INDEX idx_memory_usage_session ON memory_usage (session_id);
