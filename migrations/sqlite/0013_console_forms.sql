-- The console's post/redirect/get and its login lockout.

-- One-time tokens of console forms, claimed when the form's action runs (in the action's own
-- transaction for a notice's lifecycle actions), so that a replayed submission (a reload, the
-- back button, a double click) finds its token taken and does nothing. Rows older than a
-- session are removed: the form's session, and with it its CSRF token, has ended by then.
CREATE TABLE form_claims (
    -- SHA-256 of the token the form carried.
    token_hash  TEXT PRIMARY KEY,
    claimed_at  INTEGER NOT NULL
);
CREATE INDEX form_claims_at ON form_claims (claimed_at);

-- The one-line result of an action, shown on the next page its session opens, then deleted.
CREATE TABLE console_flashes (
    id           TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
    message      TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX console_flashes_session ON console_flashes (session_hash);

-- Wrong passwords per account: a row is reserved before the password is checked (and removed
-- if it was right), under a lock on the account's row, so that however many attempts arrive
-- at once, at most five wrong ones are checked in any 15 minutes. users.failed_logins and
-- users.locked_until are no longer used.
CREATE TABLE login_failures (
    id       TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_id, at);
