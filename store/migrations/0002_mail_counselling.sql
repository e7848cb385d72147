-- Mail counselling: threads, messages, notes, drafts, theme tags, the outbox, and
-- what staff enrolment needs. Subjects, message text, notes, drafts, flag reasons
-- and review comments are sealed under the help-seeker's data key, so deleting
-- the help-seeker's account destroys them all.

ALTER TABLE accounts ADD COLUMN totp_pending BLOB;
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN queue_digest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;

CREATE TABLE threads (
	id                TEXT    PRIMARY KEY,
	office_id         INTEGER NOT NULL REFERENCES offices(id),
	seeker_id         TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	counsellor_id     TEXT    REFERENCES accounts(id) ON DELETE SET NULL,
	theme_id          INTEGER NOT NULL REFERENCES themes(id),
	subject           BLOB,
	status            TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
	created_at        INTEGER NOT NULL,
	last_activity_at  INTEGER NOT NULL,
	seeker_unread     INTEGER NOT NULL DEFAULT 0,
	counsellor_unread INTEGER NOT NULL DEFAULT 0,
	flagged_at        INTEGER,
	flag_reason       BLOB,
	pending_reviews   INTEGER NOT NULL DEFAULT 0
) STRICT;
-- The open queue, oldest first, per office.
CREATE INDEX threads_queue ON threads (office_id, created_at, id) WHERE status = 'open';
-- A counsellor's own threads, latest activity first.
CREATE INDEX threads_counsellor ON threads (counsellor_id, last_activity_at, id);
CREATE INDEX threads_seeker ON threads (seeker_id, last_activity_at, id);
CREATE INDEX threads_flagged ON threads (office_id, flagged_at) WHERE flagged_at IS NOT NULL;
CREATE INDEX threads_review ON threads (office_id, last_activity_at) WHERE pending_reviews > 0;

CREATE TABLE messages (
	id          TEXT    PRIMARY KEY,
	thread_id   TEXT    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	office_id   INTEGER NOT NULL REFERENCES offices(id),
	from_seeker INTEGER NOT NULL,
	author_id   TEXT    REFERENCES accounts(id) ON DELETE SET NULL,
	body        BLOB    NOT NULL,
	status      TEXT    NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'pending')),
	created_at  INTEGER NOT NULL,
	seq         INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_thread ON messages (thread_id, seq);

CREATE TABLE notes (
	id         TEXT    PRIMARY KEY,
	thread_id  TEXT    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	office_id  INTEGER NOT NULL REFERENCES offices(id),
	author_id  TEXT    REFERENCES accounts(id) ON DELETE SET NULL,
	body       BLOB    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_thread ON notes (thread_id, created_at);

CREATE TABLE drafts (
	thread_id  TEXT    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	author_id  TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	office_id  INTEGER NOT NULL REFERENCES offices(id),
	body       BLOB    NOT NULL,
	comment    BLOB,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (thread_id, author_id)
) STRICT;

CREATE TABLE thread_themes (
	thread_id TEXT    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	theme_id  INTEGER NOT NULL REFERENCES themes(id),
	PRIMARY KEY (thread_id, theme_id)
) STRICT;

-- Notifications waiting to be mailed. The recipient is sealed under the
-- recipient account's data key and cleared once the mail is sent or given up.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	office_id       INTEGER NOT NULL REFERENCES offices(id),
	account_id      TEXT    REFERENCES accounts(id) ON DELETE CASCADE,
	kind            TEXT    NOT NULL,
	recipient       BLOB,
	created_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	sent_at         INTEGER,
	given_up_at     INTEGER,
	last_error      TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
