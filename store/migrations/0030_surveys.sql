-- Surveys: an office's questions, asked before a live chat or after a
-- contact, and the answers, kept only as anonymous facts.

-- The questions, written by the office's admins in every language the pages
-- speak (a JSON object from language to text). A choice question's options
-- are a JSON array of such objects, numbered from 1 in order; an answer names
-- its option by that number. A retired question is no longer asked, and
-- stays for the reports of the years it was answered in. Questions are the
-- office's own texts, like its themes: nothing in them is about a person.
-- position orders an office's questions as they were added.
CREATE TABLE survey_questions (
	id         TEXT    PRIMARY KEY,
	office_id  INTEGER NOT NULL REFERENCES offices(id),
	moment     TEXT    NOT NULL CHECK (moment IN ('before-chat', 'after-contact')),
	kind       TEXT    NOT NULL CHECK (kind IN ('single', 'multiple', 'scale')),
	texts      TEXT    NOT NULL,
	options    TEXT    NOT NULL DEFAULT '[]',
	position   INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	retired_at INTEGER
) STRICT;
CREATE INDEX survey_questions_office ON survey_questions (office_id, position);

-- One row per answer (a several-choice question answered with two options
-- gives two): the office, the question, the year and month, and the value
-- chosen. No account, no conversation, no session, no exact time, no free
-- text. The key is random and the table WITHOUT ROWID, so not even the order
-- of the rows tells when or in which sequence answers came, nor which
-- answers were given together.
CREATE TABLE survey_facts (
	fact_key    BLOB    PRIMARY KEY,
	office_id   INTEGER NOT NULL REFERENCES offices(id),
	question_id TEXT    NOT NULL REFERENCES survey_questions(id),
	year        INTEGER NOT NULL,
	month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	value       INTEGER NOT NULL CHECK (value BETWEEN 1 AND 10)
) STRICT, WITHOUT ROWID;
CREATE INDEX survey_facts_report ON survey_facts (office_id, year, question_id, value);
CREATE INDEX survey_facts_question ON survey_facts (question_id);
