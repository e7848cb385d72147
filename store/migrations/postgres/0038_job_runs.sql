-- The last scheduled run (its time, to the second) of each job that every
-- node schedules alike (the nightly purge, the digests), so that among
-- several nodes on one database each scheduled run happens once
-- (store.RunOnce).
CREATE TABLE job_runs (
	job    TEXT COLLATE "C"    PRIMARY KEY,
	ran_at BIGINT NOT NULL
);
