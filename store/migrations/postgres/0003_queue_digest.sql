-- When each staff member was last sent a digest of new queue items.
ALTER TABLE accounts ADD COLUMN last_digest_at BIGINT NOT NULL DEFAULT 0;
