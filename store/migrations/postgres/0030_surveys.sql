-- Surveys: an office's questions, asked before a live chat or after a
-- contact, and the answers, kept only as anonymous facts (as in the SQLite
-- migration of the same number).

-- The questions, written by the office's admins in every language the pages
-- speak (a JSON object from language to text). A choice question's options
-- are a JSON array of such objects, numbered from 1 in order; an answer names
-- its option by that number. A retired question is no longer asked, and
-- stays for the reports of the years it was answered in. position orders an
-- office's questions as they were added.
CREATE TABLE survey_questions (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	office_id  BIGINT NOT NULL REFERENCES offices(id),
	moment     TEXT COLLATE "C"    NOT NULL CHECK (moment IN ('before-chat', 'after-contact')),
	kind       TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('single', 'multiple', 'scale')),
	texts      TEXT COLLATE "C"    NOT NULL,
	options    TEXT COLLATE "C"    NOT NULL DEFAULT '[]',
	position   BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	retired_at BIGINT
);
CREATE INDEX survey_questions_office ON survey_questions (office_id, position);

-- One row per answer: the office, the question, the year and month, and the
-- value chosen, with a random key. No account, no conversation, no session,
-- no exact time, no free text.
CREATE TABLE survey_facts (
	fact_key    BYTEA    PRIMARY KEY,
	office_id   BIGINT NOT NULL REFERENCES offices(id),
	question_id TEXT COLLATE "C"    NOT NULL REFERENCES survey_questions(id),
	year        BIGINT NOT NULL,
	month       BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
	value       BIGINT NOT NULL CHECK (value BETWEEN 1 AND 10)
);
CREATE INDEX survey_facts_report ON survey_facts (office_id, year, question_id, value);
CREATE INDEX survey_facts_question ON survey_facts (question_id);
