-- Subscriber list imports. On SQLite an import writes its rows in short transactions, so that
-- other writers get their turns in between, each row marked with the import's id; a marked
-- row is hidden (from the fan-out and the console's counts) until its import is `live`, which
-- one small transaction makes it. The marks are then cleared, a few thousand rows at a time.
-- See src/store/imports.rs.
CREATE TABLE subscriber_imports (
    id           TEXT PRIMARY KEY,
    -- staging: its rows are being written, hidden; live: they are visible and being unmarked;
    -- done: no row is marked any more; failed: its rows are being deleted.
    state        TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    -- Written with every chunk of rows: an import whose process died stops moving it.
    heartbeat_at BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX subscriber_imports_state ON subscriber_imports (state);

-- The import whose rows these are while it runs; NULL for every other subscriber.
ALTER TABLE subscribers ADD COLUMN import_id TEXT;
CREATE INDEX subscribers_import ON subscribers (import_id) WHERE import_id IS NOT NULL;

-- One row that /readyz writes to check that a write transaction can begin and commit.
CREATE TABLE write_probe (
    id         BIGINT PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO write_probe (id, checked_at) VALUES (1, 0);
