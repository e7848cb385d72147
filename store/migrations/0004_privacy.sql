-- Privacy lifecycle: anonymous contact facts, retention rules, visit counts,
-- privacy-terms versions.

-- The random key that is the only link from a live thread to its anonymous
-- fact. It goes with the thread; the fact stays.
ALTER TABLE threads ADD COLUMN stats_key BLOB;
ALTER TABLE threads ADD COLUMN first_response_at INTEGER;
CREATE UNIQUE INDEX threads_stats_key ON threads (stats_key);

-- One row per contact, holding nothing that identifies a person: no account,
-- no thread, no exact time, no text. WITHOUT ROWID with a random key, so the
-- rows are not even stored in the order the contacts happened.
CREATE TABLE contact_facts (
	fact_key            BLOB    PRIMARY KEY,
	office_id           INTEGER NOT NULL REFERENCES offices(id),
	channel             TEXT    NOT NULL CHECK (channel IN ('mail', 'chat', 'video')),
	year                INTEGER NOT NULL,
	month               INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	age_band            TEXT,
	gender              TEXT,
	region              TEXT,
	first_response      TEXT,
	seeker_messages     INTEGER NOT NULL DEFAULT 0,
	counsellor_messages INTEGER NOT NULL DEFAULT 0,
	closed              INTEGER NOT NULL DEFAULT 0,
	rating              INTEGER CHECK (rating BETWEEN 1 AND 5)
) STRICT, WITHOUT ROWID;
-- A fact's themes, with the fact's office and period copied in.
CREATE TABLE contact_fact_themes (
	fact_key  BLOB    NOT NULL REFERENCES contact_facts(fact_key) ON DELETE CASCADE,
	theme_id  INTEGER NOT NULL REFERENCES themes(id),
	office_id INTEGER NOT NULL,
	year      INTEGER NOT NULL,
	month     INTEGER NOT NULL,
	PRIMARY KEY (fact_key, theme_id)
) STRICT, WITHOUT ROWID;


-- Retention rules, per office.
ALTER TABLE offices ADD COLUMN retain_mail_months INTEGER NOT NULL DEFAULT 12;
ALTER TABLE offices ADD COLUMN wipe_mail_year_end INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offices ADD COLUMN inactive_account_months INTEGER NOT NULL DEFAULT 24;
ALTER TABLE offices ADD COLUMN chat_transcript_months INTEGER NOT NULL DEFAULT 6;
ALTER TABLE accounts ADD COLUMN inactivity_warned_at INTEGER;
CREATE INDEX accounts_activity ON accounts (kind, last_active_at);
CREATE INDEX threads_activity ON threads (office_id, last_activity_at);

-- Page views per day and route pattern: no address, no cookie, no person.
CREATE TABLE page_views (
	day   TEXT    NOT NULL,
	route TEXT    NOT NULL,
	views INTEGER NOT NULL,
	PRIMARY KEY (day, route)
) STRICT, WITHOUT ROWID;

-- Every version of an office's privacy terms, so the consent history can say
-- what was accepted.
CREATE TABLE terms_versions (
	office_id    INTEGER NOT NULL REFERENCES offices(id),
	version      INTEGER NOT NULL,
	text         TEXT    NOT NULL,
	published_at INTEGER NOT NULL,
	PRIMARY KEY (office_id, version)
) STRICT;
INSERT INTO terms_versions (office_id, version, text, published_at)
	SELECT id, terms_version, terms_text, created_at FROM offices;

-- Indexes for the foreign keys that deletions check, so deleting an account
-- or a thread never scans whole tables.
CREATE INDEX messages_author ON messages (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX notes_author ON notes (author_id);
CREATE INDEX drafts_author ON drafts (author_id);
CREATE INDEX outbox_account ON outbox (account_id);
CREATE INDEX invites_account ON invites (account_id);
