-- A delivery queued again by hand (replay, recover) gets the whole retry schedule once more:
-- its tries are counted from `retry_base`, the attempts it had when it was queued again, while
-- `attempts` keeps numbering every try (the attempt history's key).
ALTER TABLE deliveries ADD COLUMN retry_base INTEGER NOT NULL DEFAULT 0;
