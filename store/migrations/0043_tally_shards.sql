-- Each report tally is spread over shard rows, summed where it is read: on
-- PostgreSQL every message's transaction adds to its month's tally, and with
-- one row per value concurrent serializable transactions lost to each other
-- on it; a shard chosen at random per addition lets them pass. SQLite has
-- one writer and keeps everything in shard 0.
CREATE TABLE fact_tallies_sharded (
	office_id       INTEGER NOT NULL,
	year            INTEGER NOT NULL,
	dimension       TEXT    NOT NULL,
	value           TEXT    NOT NULL,
	shard           INTEGER NOT NULL DEFAULT 0,
	contacts        INTEGER NOT NULL DEFAULT 0,
	seeker_messages INTEGER NOT NULL DEFAULT 0,
	staff_messages  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (office_id, year, dimension, value, shard)
) STRICT, WITHOUT ROWID;
INSERT INTO fact_tallies_sharded (office_id, year, dimension, value, shard, contacts, seeker_messages, staff_messages)
	SELECT office_id, year, dimension, value, 0, contacts, seeker_messages, staff_messages FROM fact_tallies;
DROP TABLE fact_tallies;
ALTER TABLE fact_tallies_sharded RENAME TO fact_tallies;
