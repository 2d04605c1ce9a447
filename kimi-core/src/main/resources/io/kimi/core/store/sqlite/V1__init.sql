-- V1: sessions, their request records and their event log.
-- Instants are ISO-8601 UTC text with nine fraction digits (fixed width, so text order is time order).

CREATE TABLE sessions (
    session_id              TEXT    NOT NULL PRIMARY KEY,
    kind                    TEXT    NOT NULL,
    name                    TEXT,
    target                  TEXT,
    status                  TEXT    NOT NULL,
    start_time              TEXT    NOT NULL,
    end_time                TEXT,
    current_state           TEXT,
    current_iteration       INTEGER NOT NULL DEFAULT 0,
    config_json             TEXT    NOT NULL DEFAULT '{}',
    provider                TEXT,
    model                   TEXT,
    context_window          INTEGER NOT NULL DEFAULT 0,
    requests                INTEGER NOT NULL DEFAULT 0,
    failed_requests         INTEGER NOT NULL DEFAULT 0,
    prompt_tokens           INTEGER NOT NULL DEFAULT 0,
    completion_tokens       INTEGER NOT NULL DEFAULT 0,
    cached_tokens           INTEGER NOT NULL DEFAULT 0,
    estimated_prompt_tokens INTEGER NOT NULL DEFAULT 0,
    context_tokens          INTEGER NOT NULL DEFAULT 0,
    cost_usd                REAL    NOT NULL DEFAULT 0,
    active                  INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
);

-- listSessions without filters, newest first
CREATE INDEX idx_sessions_start_time ON sessions (start_time);
-- listSessions by kind (and status), countSessions(kind)
CREATE INDEX idx_sessions_kind_status_start ON sessions (kind, status, start_time);
-- listSessions by status only
CREATE INDEX idx_sessions_status_start ON sessions (status, start_time);
-- at most one active session; also serves findActiveSession
CREATE UNIQUE INDEX idx_sessions_one_active ON sessions (active) WHERE active = 1;

-- seq gives a stable insertion order that VACUUM never renumbers; request_id is the natural key.
CREATE TABLE requests (
    seq            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    request_id     TEXT    NOT NULL UNIQUE,
    session_id     TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    timestamp      TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    upstream_model TEXT    NOT NULL,
    stream         INTEGER NOT NULL CHECK (stream IN (0, 1)),
    status         TEXT    NOT NULL,
    http_status    INTEGER NOT NULL,
    error_type     TEXT,
    error_message  TEXT,
    est_prompt     INTEGER NOT NULL,
    est_completion INTEGER NOT NULL,
    est_cached     INTEGER NOT NULL,
    rep_prompt     INTEGER,
    rep_completion INTEGER,
    rep_cached     INTEGER,
    cost_usd       REAL    NOT NULL,
    latency_ms     INTEGER NOT NULL,
    ttft_ms        INTEGER NOT NULL,
    source         TEXT    NOT NULL
);

-- listRequests(session), newest first; also the cascade's lookup
CREATE INDEX idx_requests_session_time ON requests (session_id, timestamp);

-- seq gives a stable insertion order for events with the same timestamp; event_id is the natural key.
CREATE TABLE events (
    seq        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL UNIQUE,
    session_id TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    timestamp  TEXT    NOT NULL,
    iteration  INTEGER NOT NULL DEFAULT 0,
    state      TEXT,
    event_type TEXT    NOT NULL,
    data_json  TEXT    NOT NULL DEFAULT '{}'
);

-- listEvents(session), oldest first; also the cascade's lookup
CREATE INDEX idx_events_session_time ON events (session_id, timestamp, seq);
-- events by type
CREATE INDEX idx_events_type ON events (event_type);
