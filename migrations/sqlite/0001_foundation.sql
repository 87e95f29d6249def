-- Foundation schema: services, notices, their timeline, API tokens and the change counter.
-- Times are unix milliseconds (UTC) so that both backends compare and sort them the same way.
-- Localised texts are JSON objects keyed by language code: {"en": "...", "sw": "..."}.

CREATE TABLE services (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '{}',
    group_name  TEXT NOT NULL,
    position    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE notices (
    id            TEXT PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    title         TEXT NOT NULL,
    still_works   TEXT NOT NULL DEFAULT '{}',
    -- What the first public update will say, written with the draft.
    draft_body    TEXT NOT NULL DEFAULT '{}',
    starts_at     INTEGER,
    ends_at       INTEGER,
    planned_ends_at INTEGER,
    published_at  INTEGER,
    started_at    INTEGER,
    finished_at   INTEGER,
    auto_start    INTEGER NOT NULL DEFAULT 1,
    auto_complete INTEGER NOT NULL DEFAULT 0,
    sequence      INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX notices_state ON notices (state);
CREATE INDEX notices_updated ON notices (updated_at);

CREATE TABLE notice_services (
    notice_id    TEXT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    service_code TEXT NOT NULL REFERENCES services (code),
    impact       TEXT NOT NULL,
    PRIMARY KEY (notice_id, service_code)
);
CREATE INDEX notice_services_service ON notice_services (service_code);

CREATE TABLE notice_updates (
    id         TEXT PRIMARY KEY,
    notice_id  TEXT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    sequence   INTEGER NOT NULL,
    event      TEXT NOT NULL,
    state      TEXT NOT NULL,
    body       TEXT NOT NULL,
    starts_at  INTEGER,
    ends_at    INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (notice_id, sequence)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

-- One row whose value grows with every committed change to public data; instances poll it to
-- rebuild their in-memory snapshot.
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);
