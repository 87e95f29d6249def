-- Staff-written SMS and email texts that replace the templates, per language (JSON objects).
-- On a draft they are used by its first publication; on an update, for that update's messages.
ALTER TABLE notices ADD COLUMN draft_sms TEXT NOT NULL DEFAULT '{}';
ALTER TABLE notices ADD COLUMN draft_email TEXT NOT NULL DEFAULT '{}';
ALTER TABLE notice_updates ADD COLUMN sms_override TEXT NOT NULL DEFAULT '{}';
ALTER TABLE notice_updates ADD COLUMN email_override TEXT NOT NULL DEFAULT '{}';
