-- Subscribers and what they follow. An address is stored once per channel; erasure deletes
-- the row (deliveries keep no address).

CREATE TABLE subscribers (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    language        TEXT NOT NULL,
    -- 1: every service; 0: only those in subscriber_services.
    all_services    INTEGER NOT NULL DEFAULT 1,
    -- pending, confirmed or unsubscribed.
    state           TEXT NOT NULL,
    -- web, api or import: how consent was given.
    source          TEXT NOT NULL,
    -- SHA-256 of the 6-digit SMS code while pending; NULL otherwise.
    code_hash       TEXT,
    code_attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at      INTEGER,
    -- SHA-256 of the token in manage and unsubscribe links.
    manage_hash     TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    unsubscribed_at INTEGER,
    UNIQUE (channel, address)
);
CREATE INDEX subscribers_state ON subscribers (state, channel, language);

CREATE TABLE subscriber_services (
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    service_code  TEXT NOT NULL REFERENCES services (code) ON DELETE CASCADE,
    PRIMARY KEY (subscriber_id, service_code)
);
CREATE INDEX subscriber_services_service ON subscriber_services (service_code);

-- Every confirmation message sent, for the per-address, per-IP and global caps.
CREATE TABLE confirmation_sends (
    id       TEXT PRIMARY KEY,
    at       INTEGER NOT NULL,
    channel  TEXT NOT NULL,
    -- SHA-256 of the address and of the IP: the caps need equality, not the values.
    address_hash TEXT NOT NULL,
    ip_hash  TEXT NOT NULL
);
CREATE INDEX confirmation_sends_at ON confirmation_sends (at);
CREATE INDEX confirmation_sends_address ON confirmation_sends (address_hash, at);
CREATE INDEX confirmation_sends_ip ON confirmation_sends (ip_hash, at);

-- Keys this instance generates once (the HMAC key of confirmation links).
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
