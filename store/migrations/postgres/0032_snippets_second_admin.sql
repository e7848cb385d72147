-- An admin made by another admin waits, unable to log in, until a second
-- admin of the office approves them (counselling.AwaitsSecondAdmin).
ALTER TABLE accounts ADD COLUMN awaiting_approval BIGINT NOT NULL DEFAULT 0;

-- Snippets: texts a counsellor inserts into a reply. A counsellor's own
-- (owner_id set) or office-wide, kept by the office's admins (owner_id NULL).
-- Title and text are sealed under the data key of the staff member who wrote
-- them (author_id), and each is in one language, offered to counsellors who
-- work in it.
CREATE TABLE snippets (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	office_id  BIGINT NOT NULL REFERENCES offices(id),
	owner_id   TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE CASCADE,
	author_id  TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	lang       TEXT COLLATE "C"    NOT NULL,
	title      BYTEA    NOT NULL,
	body       BYTEA    NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX snippets_office_lang ON snippets (office_id, lang);
CREATE INDEX snippets_owner ON snippets (owner_id);
CREATE INDEX snippets_author ON snippets (author_id);
