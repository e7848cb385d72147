-- Safety nets for help-seekers.
--
-- A recovery code lets a help-seeker who forgot their password set a new
-- one. Only a SHA-256 of the code is kept (it is 100 random bits, so a
-- plain hash is enough); the code itself is sealed under the account's data
-- key in recovery_pending only until the next page has shown it once.
ALTER TABLE accounts ADD COLUMN recovery_hash BYTEA;
ALTER TABLE accounts ADD COLUMN recovery_pending BYTEA;

-- A reset link mailed to the address on file: only the SHA-256 of its token,
-- usable once until expires_at. The token travels to the mail worker sealed
-- under the account's data key in outbox.link (cleared once the mail is sent
-- or given up), never in clear.
CREATE TABLE password_resets (
	token_hash BYTEA    PRIMARY KEY,
	account_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);
CREATE INDEX password_resets_account ON password_resets (account_id);
ALTER TABLE outbox ADD COLUMN link BYTEA;

-- A block keeps a help-seeker's account from starting new conversations.
-- The reason is sealed under the blocked account's data key, so that it goes
-- with the account; id is random, so pages never show an account's id.
CREATE TABLE blocks (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	account_id TEXT COLLATE "C"    NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE,
	office_id  BIGINT NOT NULL REFERENCES offices(id),
	blocked_by TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE SET NULL,
	reason     BYTEA    NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX blocks_office ON blocks (office_id);

-- How many open enquiries one help-seeker account may have at once.
ALTER TABLE offices ADD COLUMN open_enquiry_limit BIGINT NOT NULL DEFAULT 3;
