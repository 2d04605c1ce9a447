-- V5: requests sent upstream whose outcome is not stored yet. A row is written (and committed) before the
-- request goes to the provider and deleted in the transaction that stores the finished request; a row still
-- here when the store is opened again belongs to a request the server never finished (it was killed), and
-- becomes a request with status 'interrupted'.
CREATE TABLE pending_requests (
    request_id     TEXT    NOT NULL PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    timestamp      TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    upstream_model TEXT    NOT NULL,
    stream         INTEGER NOT NULL CHECK (stream IN (0, 1)),
    est_prompt     INTEGER NOT NULL,
    source         TEXT    NOT NULL
) WITHOUT ROWID;

-- No index on session_id: the table holds only the requests in flight (a few rows), so the cascade's scan is
-- cheap, and each request's insert and delete touch one b-tree instead of two.
