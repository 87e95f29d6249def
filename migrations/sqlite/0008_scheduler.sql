-- Time-driven steps of a notice (start, overrun, overrun update, complete), re-planned in the
-- transaction of every change to it and claimed like deliveries, so each runs once even with
-- several instances, and missed ones run in order after downtime.
CREATE TABLE scheduled_actions (
    -- {notice}:{kind}:{due ms}: the same plan re-planned is the same row.
    id          TEXT PRIMARY KEY,
    notice_id   TEXT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    -- pending, done, skipped (no longer applies; note says why) or cancelled (re-planned away).
    state       TEXT NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    note        TEXT
);
CREATE INDEX scheduled_actions_due ON scheduled_actions (state, due_at);
CREATE INDEX scheduled_actions_notice ON scheduled_actions (notice_id, state);
