-- V7: fewer B-tree writes per proxied request (benchmarks/NOTES.md, "Recording a request").

-- Nothing reads events by type: the index only cost one more B-tree insert per event.
DROP INDEX IF EXISTS idx_events_type;

-- Each session's sums of the MCP memory figures, updated in place by every request the memory feature measured,
-- instead of one memory_usage row (three B-trees: the table, its request_id key and its session_id index) for
-- each of them. memory_usage now keeps only the requests that held memory markers.
CREATE TABLE memory_totals (
    session_id    TEXT    NOT NULL PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
    requests      INTEGER NOT NULL DEFAULT 0,
    with_memory   INTEGER NOT NULL DEFAULT 0,
    memory_tokens INTEGER NOT NULL DEFAULT 0,
    chat_tokens   INTEGER NOT NULL DEFAULT 0,
    markers       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO memory_totals (session_id, requests, with_memory, memory_tokens, chat_tokens, markers)
SELECT session_id, COUNT(*), SUM(CASE WHEN markers > 0 THEN 1 ELSE 0 END), SUM(memory_tokens), SUM(chat_tokens),
       SUM(markers)
FROM memory_usage
GROUP BY session_id;

DELETE FROM memory_usage WHERE markers = 0;
