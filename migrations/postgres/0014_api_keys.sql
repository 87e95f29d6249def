-- Retried API calls (Idempotency-Key) and token names that say which token they are.
--
-- idempotency_keys: one row per key a token sent with a POST under /api/v1, for 24 hours.
-- The key itself is not stored: key_hash is a SHA-256 of the token id and the key, and
-- fingerprint a SHA-256 of the request (method, path and body), so a retry can be told from a
-- reuse of the key for another request. While the first request runs, status is NULL; once it
-- has answered, its status, the headers worth repeating (JSON) and the body are kept and a
-- retry gets them again.
CREATE TABLE idempotency_keys (
    key_hash    TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    status      BIGINT,
    headers     TEXT,
    body        TEXT
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- `tangazo token revoke NAME` needs a name to say which token it is: a live staff token's name is
-- unique, and so is a live token's name among one biller's tokens. Databases made before this
-- rule may hold duplicates: the oldest keeps its name, each later one gets its id appended
-- (shown by `tangazo token list`), so no working token stops working.
UPDATE api_tokens SET name = name || ' (' || id || ')'
WHERE revoked_at IS NULL AND EXISTS (
    SELECT 1 FROM api_tokens older
    WHERE older.revoked_at IS NULL AND older.name = api_tokens.name
      AND COALESCE(older.biller_id, '') = COALESCE(api_tokens.biller_id, '')
      AND (older.created_at < api_tokens.created_at
           OR (older.created_at = api_tokens.created_at AND older.id < api_tokens.id)));
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (COALESCE(biller_id, ''), name)
    WHERE revoked_at IS NULL;
