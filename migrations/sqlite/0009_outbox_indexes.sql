-- The outbox's indexes hold only the rows their queries look for, so recording a result moves
-- as few index entries as possible (it was five per delivery, now one or two):
-- * the claim reads pending rows only; a row leaving `pending` just leaves the index;
-- * claimed rows come back from the claiming UPDATE (RETURNING), so nothing looks rows up by
--   lease owner any more;
-- * only SMS has provider ids, only webhooks have endpoints; the state is read from the row
--   for the few deliveries one endpoint has per notice.
DROP INDEX deliveries_claim;
CREATE INDEX deliveries_claim ON deliveries (channel, next_attempt_at) WHERE state = 'pending';
DROP INDEX deliveries_lease;
DROP INDEX deliveries_provider;
CREATE INDEX deliveries_provider ON deliveries (provider_id) WHERE provider_id IS NOT NULL;
DROP INDEX deliveries_endpoint;
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, notice_id) WHERE endpoint_id IS NOT NULL;
