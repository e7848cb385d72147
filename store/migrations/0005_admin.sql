-- What admins changed: who, what, when. Never any data of a help-seeker; staff
-- are named by id and resolved to names only when shown.
CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	office_id INTEGER NOT NULL REFERENCES offices(id),
	actor_id  TEXT,
	action    TEXT    NOT NULL,
	target    TEXT    NOT NULL DEFAULT '',
	detail    TEXT    NOT NULL DEFAULT '',
	at        INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_office ON audit_log (office_id, at);

-- The year report's counts, kept up to date as facts are written: per office,
-- year and dimension (month, channel, age_band, gender, region,
-- first_response, rating, closed), how many contacts have each value. Like
-- the facts they are built from, they hold no link to any person.
CREATE TABLE fact_tallies (
	office_id       INTEGER NOT NULL,
	year            INTEGER NOT NULL,
	dimension       TEXT    NOT NULL,
	value           TEXT    NOT NULL,
	contacts        INTEGER NOT NULL DEFAULT 0,
	seeker_messages INTEGER NOT NULL DEFAULT 0,
	staff_messages  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (office_id, year, dimension, value)
) STRICT, WITHOUT ROWID;

CREATE TABLE fact_theme_months (
	office_id INTEGER NOT NULL,
	year      INTEGER NOT NULL,
	theme_id  INTEGER NOT NULL,
	month     INTEGER NOT NULL,
	contacts  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (office_id, year, theme_id, month)
) STRICT, WITHOUT ROWID;
