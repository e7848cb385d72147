-- Region becomes a choice from a list each office keeps, like its themes. A
-- profile and a contact fact hold only an entry's slug; an office with no
-- entries does not ask. Offices start with an empty list.
CREATE TABLE regions (
	id         INTEGER PRIMARY KEY,
	office_id  INTEGER NOT NULL REFERENCES offices(id),
	slug       TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	position   INTEGER NOT NULL,
	retired_at INTEGER,
	UNIQUE (office_id, slug)
) STRICT;

-- Regions typed as free text before are moved to "not given": in the report
-- tallies (their counts merged into the not-given row, so the tallies still
-- equal a recount of the facts), in the facts, and in the profiles. With
-- secure_delete on, the pages that held the text are overwritten.
INSERT INTO fact_tallies (office_id, year, dimension, value, contacts, seeker_messages, staff_messages)
	SELECT office_id, year, 'region', '', sum(contacts), sum(seeker_messages), sum(staff_messages)
	FROM fact_tallies WHERE dimension = 'region' AND value != '' GROUP BY office_id, year
	ON CONFLICT (office_id, year, dimension, value) DO UPDATE SET
		contacts = contacts + excluded.contacts, seeker_messages = seeker_messages + excluded.seeker_messages,
		staff_messages = staff_messages + excluded.staff_messages;
DELETE FROM fact_tallies WHERE dimension = 'region' AND value != '';
UPDATE contact_facts SET region = NULL WHERE region IS NOT NULL;
UPDATE accounts SET region = NULL WHERE region IS NOT NULL;

-- Whether an office asks for a region now follows from its list.
ALTER TABLE offices DROP COLUMN collect_region;
