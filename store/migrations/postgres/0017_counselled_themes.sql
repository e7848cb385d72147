-- The themes a counsellor or supervisor counsels, when they chose fewer than
-- all of their office's: no row for an account means every theme, those the
-- office adds later included. Live chat tells help-seekers per theme whether
-- someone available counsels it, and lists a counsellor's themes first in
-- their live queue.
CREATE TABLE counselled_themes (
	account_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	theme_id   BIGINT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
	PRIMARY KEY (account_id, theme_id)
);
