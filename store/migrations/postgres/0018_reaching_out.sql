-- Reaching out: call-back requests and the consent to be contacted again.

-- A help-seeker's request that a counsellor call them back. It waits until
-- the counsellor calls back and the help-seeker accepts (then the row goes:
-- the chat it opened is the record), until the help-seeker withdraws it, or
-- until it expires; an expired request stays, so that the help-seeker's pages
-- can tell them, until they dismiss the notice. A help-seeker has at most one
-- open request per counsellor.
CREATE TABLE callbacks (
	id            TEXT COLLATE "C"    PRIMARY KEY,
	office_id     BIGINT NOT NULL REFERENCES offices(id),
	seeker_id     TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	counsellor_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	theme_id      BIGINT NOT NULL REFERENCES themes(id),
	kind          TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('chat', 'video')),
	window_from   BIGINT,
	window_to     BIGINT,
	status        TEXT COLLATE "C"    NOT NULL CHECK (status IN ('open', 'expired')),
	created_at    BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX callbacks_one_open ON callbacks (seeker_id, counsellor_id) WHERE status = 'open';
CREATE INDEX callbacks_queue ON callbacks (counsellor_id, created_at) WHERE status = 'open';
CREATE INDEX callbacks_expiry ON callbacks (expires_at) WHERE status = 'open';

-- How many hours a call-back request waits before it expires.
ALTER TABLE offices ADD COLUMN callback_expiry_hours BIGINT NOT NULL DEFAULT 24;

-- A registered help-seeker's consent that counsellors they have spoken with
-- may invite them again while they are online: the version of the text they
-- agreed to and when. No row: no consent (the default, and after withdrawal).
CREATE TABLE contact_consents (
	account_id TEXT COLLATE "C"    PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	version    BIGINT NOT NULL,
	given_at   BIGINT NOT NULL
);
