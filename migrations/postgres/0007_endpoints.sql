-- Billers (utilities, banks, merchants) and their webhook endpoints. A biller's API token
-- (api_tokens.biller_id) reaches only that biller's endpoints.

CREATE TABLE billers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    contact_email TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

ALTER TABLE api_tokens ADD COLUMN biller_id TEXT REFERENCES billers (id) ON DELETE CASCADE;

CREATE TABLE endpoints (
    id                  TEXT PRIMARY KEY,
    biller_id           TEXT NOT NULL REFERENCES billers (id) ON DELETE CASCADE,
    url                 TEXT NOT NULL,
    description         TEXT NOT NULL,
    -- 1: every event type; 0: only those in endpoint_events.
    all_events          BIGINT NOT NULL DEFAULT 1,
    -- 1: every service; 0: only notices touching one in endpoint_services.
    all_services        BIGINT NOT NULL DEFAULT 1,
    enabled             BIGINT NOT NULL DEFAULT 1,
    -- Why it was disabled (by whom, or 410, or failing for days).
    disabled_reason     TEXT,
    disabled_at         BIGINT,
    -- Most requests per second to this endpoint; 0 for no limit beyond the channel's.
    rate_limit          BIGINT NOT NULL DEFAULT 0,
    contact_email       TEXT NOT NULL,
    -- The signing secrets must be usable, so they are stored as they are (whsec_…). During a
    -- rotation the previous one signs too until previous_expires_at.
    secret              TEXT NOT NULL,
    previous_secret     TEXT,
    previous_expires_at BIGINT,
    -- whsk_… when the endpoint also wants ed25519 (v1a) signatures.
    ed25519_secret      TEXT,
    -- Start of the current run of failed attempts; NULL while healthy.
    failing_since       BIGINT,
    -- The last time a request was refused before it left (SSRF rules), and why.
    last_refusal        TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX endpoints_biller ON endpoints (biller_id);

CREATE TABLE endpoint_events (
    endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    event_type  TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, event_type)
);

CREATE TABLE endpoint_services (
    endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    service_code TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, service_code)
);

ALTER TABLE deliveries ADD COLUMN endpoint_id TEXT REFERENCES endpoints (id) ON DELETE SET NULL;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, notice_id, state);

-- What a webhook attempt got back.
ALTER TABLE delivery_attempts ADD COLUMN status_code BIGINT;
ALTER TABLE delivery_attempts ADD COLUMN response TEXT;
