-- The attempt that sent a delivery is kept on the delivery's own row instead of as a row of
-- delivery_attempts: most deliveries are sent at their first try, and recording the result then
-- writes one row instead of two. delivery_attempts keeps every other attempt (retried, failed,
-- cancelled), and a sent attempt moves there when its delivery is queued again (a replay), so
-- the history a listing unions from the two is never overwritten. Its number is the row's
-- `attempts`, its provider id the row's `provider_id`.
ALTER TABLE deliveries ADD COLUMN sent_worker TEXT;
ALTER TABLE deliveries ADD COLUMN sent_started_at INTEGER;
ALTER TABLE deliveries ADD COLUMN sent_latency_ms INTEGER;
ALTER TABLE deliveries ADD COLUMN sent_status_code INTEGER;
ALTER TABLE deliveries ADD COLUMN sent_response TEXT;
