-- Privacy lifecycle: anonymous contact facts, retention rules, visit counts,
-- privacy-terms versions.

-- The random key that is the only link from a live thread to its anonymous
-- fact. It goes with the thread; the fact stays.
ALTER TABLE threads ADD COLUMN stats_key BYTEA;
ALTER TABLE threads ADD COLUMN first_response_at BIGINT;
CREATE UNIQUE INDEX threads_stats_key ON threads (stats_key);

-- One row per contact, holding nothing that identifies a person: no account,
-- no thread, no exact time, no text, with a random key.
CREATE TABLE contact_facts (
	fact_key            BYTEA    PRIMARY KEY,
	office_id           BIGINT NOT NULL REFERENCES offices(id),
	channel             TEXT COLLATE "C"    NOT NULL CHECK (channel IN ('mail', 'chat', 'video')),
	year                BIGINT NOT NULL,
	month               BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
	age_band            TEXT COLLATE "C",
	gender              TEXT COLLATE "C",
	region              TEXT COLLATE "C",
	first_response      TEXT COLLATE "C",
	seeker_messages     BIGINT NOT NULL DEFAULT 0,
	counsellor_messages BIGINT NOT NULL DEFAULT 0,
	closed              BIGINT NOT NULL DEFAULT 0,
	rating              BIGINT CHECK (rating BETWEEN 1 AND 5)
);
-- A fact's themes, with the fact's office and period copied in.
CREATE TABLE contact_fact_themes (
	fact_key  BYTEA    NOT NULL REFERENCES contact_facts(fact_key) ON DELETE CASCADE,
	theme_id  BIGINT NOT NULL REFERENCES themes(id),
	office_id BIGINT NOT NULL,
	year      BIGINT NOT NULL,
	month     BIGINT NOT NULL,
	PRIMARY KEY (fact_key, theme_id)
);


-- Retention rules, per office.
ALTER TABLE offices ADD COLUMN retain_mail_months BIGINT NOT NULL DEFAULT 12;
ALTER TABLE offices ADD COLUMN wipe_mail_year_end BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offices ADD COLUMN inactive_account_months BIGINT NOT NULL DEFAULT 24;
ALTER TABLE offices ADD COLUMN chat_transcript_months BIGINT NOT NULL DEFAULT 6;
ALTER TABLE accounts ADD COLUMN inactivity_warned_at BIGINT;
CREATE INDEX accounts_activity ON accounts (kind, last_active_at);
CREATE INDEX threads_activity ON threads (office_id, last_activity_at);

-- Page views per day and route pattern: no address, no cookie, no person.
CREATE TABLE page_views (
	day   TEXT COLLATE "C"    NOT NULL,
	route TEXT COLLATE "C"    NOT NULL,
	views BIGINT NOT NULL,
	PRIMARY KEY (day, route)
);

-- Every version of an office's privacy terms, so the consent history can say
-- what was accepted.
CREATE TABLE terms_versions (
	office_id    BIGINT NOT NULL REFERENCES offices(id),
	version      BIGINT NOT NULL,
	text         TEXT COLLATE "C"    NOT NULL,
	published_at BIGINT NOT NULL,
	PRIMARY KEY (office_id, version)
);
INSERT INTO terms_versions (office_id, version, text, published_at)
	SELECT id, terms_version, terms_text, created_at FROM offices;

-- Indexes for the foreign keys that deletions check, so deleting an account
-- or a thread never scans whole tables.
CREATE INDEX messages_author ON messages (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX notes_author ON notes (author_id);
CREATE INDEX drafts_author ON drafts (author_id);
CREATE INDEX outbox_account ON outbox (account_id);
CREATE INDEX invites_account ON invites (account_id);
