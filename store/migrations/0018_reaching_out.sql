-- Reaching out: call-back requests and the consent to be contacted again.

-- A help-seeker's request that a counsellor call them back. It waits until
-- the counsellor calls back and the help-seeker accepts (then the row goes:
-- the chat it opened is the record), until the help-seeker withdraws it, or
-- until it expires; an expired request stays, so that the help-seeker's pages
-- can tell them, until they dismiss the notice. A help-seeker has at most one
-- open request per counsellor.
CREATE TABLE callbacks (
	id            TEXT    PRIMARY KEY,
	office_id     INTEGER NOT NULL REFERENCES offices(id),
	seeker_id     TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	counsellor_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	theme_id      INTEGER NOT NULL REFERENCES themes(id),
	kind          TEXT    NOT NULL CHECK (kind IN ('chat', 'video')),
	window_from   INTEGER,
	window_to     INTEGER,
	status        TEXT    NOT NULL CHECK (status IN ('open', 'expired')),
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX callbacks_one_open ON callbacks (seeker_id, counsellor_id) WHERE status = 'open';
CREATE INDEX callbacks_queue ON callbacks (counsellor_id, created_at) WHERE status = 'open';
CREATE INDEX callbacks_expiry ON callbacks (expires_at) WHERE status = 'open';

-- How many hours a call-back request waits before it expires.
ALTER TABLE offices ADD COLUMN callback_expiry_hours INTEGER NOT NULL DEFAULT 24;

-- A registered help-seeker's consent that counsellors they have spoken with
-- may invite them again while they are online: the version of the text they
-- agreed to and when. No row: no consent (the default, and after withdrawal).
CREATE TABLE contact_consents (
	account_id TEXT    PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	given_at   INTEGER NOT NULL
) STRICT;
