-- Each report tally is spread over shard rows, summed where it is read: on
-- PostgreSQL every message's transaction adds to its month's tally, and with
-- one row per value concurrent serializable transactions lost to each other
-- on it; a shard chosen at random per addition lets them pass. SQLite has
-- one writer and keeps everything in shard 0.
ALTER TABLE fact_tallies ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_tallies DROP CONSTRAINT fact_tallies_pkey;
ALTER TABLE fact_tallies ADD PRIMARY KEY (office_id, year, dimension, value, shard);
