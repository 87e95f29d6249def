-- A delivery's notice index holds only what its queries look for, as the outbox's others do
-- (0009), so recording a result, the most frequent write there is, moves one index entry
-- fewer: leaving `pending` only leaves deliveries_notice_pending, where (notice_id, state)
-- had an entry deleted and another inserted.
-- * deliveries_notice: a notice's deliveries whatever their state (progress, counts, the
--   cascade when a notice is deleted); a change of state does not touch it;
-- * deliveries_notice_pending: the pending ones a newer update supersedes;
-- * deliveries_notice_failed: the newest failures of a notice, for its progress report.
-- Publishing writes one entry more per delivery (two notice entries instead of one).
DROP INDEX deliveries_notice;
CREATE INDEX deliveries_notice ON deliveries (notice_id);
CREATE INDEX deliveries_notice_pending ON deliveries (notice_id) WHERE state = 'pending';
CREATE INDEX deliveries_notice_failed ON deliveries (notice_id, finished_at) WHERE state = 'failed';
