-- Workers claim outbox rows by setting a lease (owner + expiry); a row whose lease ran out
-- (its worker died) is claimable again. Every attempt is kept, and each update's rendered
-- messages are stored once when it is published, so workers send exactly what staff saw.

ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
-- The provider's id for the message, which its delivery reports name.
ALTER TABLE deliveries ADD COLUMN provider_id TEXT;
-- The provider's last delivery report: delivered, undelivered, or an interim word.
ALTER TABLE deliveries ADD COLUMN receipt TEXT;
ALTER TABLE deliveries ADD COLUMN receipt_at INTEGER;
CREATE INDEX deliveries_provider ON deliveries (provider_id);
CREATE INDEX deliveries_lease ON deliveries (lease_owner);

CREATE TABLE delivery_attempts (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    -- Which worker process made it.
    worker      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    latency_ms  INTEGER NOT NULL,
    -- sent, retry or failed.
    outcome     TEXT NOT NULL,
    provider_id TEXT,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE update_messages (
    update_id TEXT NOT NULL REFERENCES notice_updates (id) ON DELETE CASCADE,
    -- sms, email or webhook.
    channel   TEXT NOT NULL,
    -- Empty for the webhook payload, which is the same in every language.
    language  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    text      TEXT NOT NULL,
    html      TEXT NOT NULL,
    PRIMARY KEY (update_id, channel, language)
);

-- A delivery report can arrive before the worker has recorded the provider id it names (the
-- provider answers the send, then reports, faster than the batch is written). Such reports wait
-- here and are applied when the id is recorded; unmatched ones are dropped after a day.
CREATE TABLE early_receipts (
    provider_id TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider_id, channel)
);
