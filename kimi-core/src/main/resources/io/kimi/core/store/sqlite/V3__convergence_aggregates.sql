-- V3: maintained aggregates of convergence sessions, so their metrics never scan the event log.

-- Seed 002's session "metrics", kept up to date as events arrive (0 for proxy sessions).
ALTER TABLE sessions ADD COLUMN total_findings        INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN total_fixes           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN total_vulnerabilities INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN tests_passed          INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN tests_failed          INTEGER NOT NULL DEFAULT 0;

-- One row per iteration of a convergence session. The primary key serves listIterations (by iteration) and
-- the cascade's lookup; countFindings sums the findings columns.
CREATE TABLE convergence_iterations (
    session_id        TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    iteration         INTEGER NOT NULL,
    findings_critical INTEGER NOT NULL DEFAULT 0,
    findings_high     INTEGER NOT NULL DEFAULT 0,
    findings_medium   INTEGER NOT NULL DEFAULT 0,
    findings_low      INTEGER NOT NULL DEFAULT 0,
    findings_info     INTEGER NOT NULL DEFAULT 0,
    fixes             INTEGER NOT NULL DEFAULT 0,
    vulnerabilities   INTEGER NOT NULL DEFAULT 0,
    tests_passed      INTEGER,
    tests_failed      INTEGER,
    started_at        TEXT,
    ended_at          TEXT,
    PRIMARY KEY (session_id, iteration)
) WITHOUT ROWID;

-- One row per step of an iteration. The primary key serves listSteps (by iteration, then step) and the
-- cascade's lookup.
CREATE TABLE convergence_steps (
    session_id       TEXT    NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
    iteration        INTEGER NOT NULL,
    step             TEXT    NOT NULL,
    duration_seconds REAL,
    status           TEXT    NOT NULL,
    PRIMARY KEY (session_id, iteration, step)
) WITHOUT ROWID;
