-- The outbox: one row per message to one subscriber for one update, inserted set-based in the
-- transaction that publishes the update. The id (update id + subscriber id) is stable, so it
-- doubles as the provider's idempotency key. No address is kept here: erasing a subscriber
-- leaves deliveries without one.

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    notice_id       TEXT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    update_id       TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    event           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    subscriber_id   TEXT REFERENCES subscribers (id) ON DELETE SET NULL,
    language        TEXT NOT NULL,
    -- pending, sent, failed or superseded.
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    error           TEXT
);
CREATE INDEX deliveries_claim ON deliveries (state, channel, next_attempt_at);
CREATE INDEX deliveries_notice ON deliveries (notice_id, state);
