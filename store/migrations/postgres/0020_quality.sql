-- Quality and supervision: ratings of conversations by both sides, the
-- supervisors' queue of supervision items, the office's sampling rule, and
-- which risk flags each supervisor has seen.

-- One rating per conversation and side. The comment is sealed under the
-- help-seeker's data key, like everything else of the conversation, and goes
-- with it. counsellor_id is who held the conversation when it was rated, for
-- the sampling rule; the score alone is also copied into the anonymous facts.
CREATE TABLE ratings (
	thread_id     TEXT COLLATE "C"    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	side          TEXT COLLATE "C"    NOT NULL CHECK (side IN ('seeker', 'counsellor')),
	office_id     BIGINT NOT NULL REFERENCES offices(id),
	counsellor_id TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE SET NULL,
	score         BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
	comment       BYTEA,
	rated_at      BIGINT NOT NULL,
	PRIMARY KEY (thread_id, side)
);
CREATE INDEX ratings_counsellor ON ratings (counsellor_id, rated_at) WHERE side = 'seeker';

-- The counsellor's score of a contact, beside the help-seeker's (rating).
ALTER TABLE contact_facts ADD COLUMN staff_rating BIGINT CHECK (staff_rating BETWEEN 1 AND 5);

-- The supervisors' queue. A requested item carries the counsellor's reason,
-- a sampled one none; the supervisor's note to the counsellor is written on
-- closing. Both are sealed under the help-seeker's data key.
CREATE TABLE supervision_items (
	id            TEXT COLLATE "C"    PRIMARY KEY,
	office_id     BIGINT NOT NULL REFERENCES offices(id),
	thread_id     TEXT COLLATE "C"    NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
	counsellor_id TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE SET NULL,
	kind          TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('request', 'sampled')),
	reason        BYTEA,
	created_at    BIGINT NOT NULL,
	read_at       BIGINT,
	closed_at     BIGINT,
	closed_by     TEXT COLLATE "C"    REFERENCES accounts(id) ON DELETE SET NULL,
	note          BYTEA
);
-- At most one open item per conversation.
CREATE UNIQUE INDEX supervision_items_open ON supervision_items (thread_id) WHERE closed_at IS NULL;
CREATE INDEX supervision_items_office ON supervision_items (office_id, closed_at, created_at);
CREATE INDEX supervision_items_thread ON supervision_items (thread_id);
CREATE INDEX supervision_items_closer ON supervision_items (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX supervision_items_counsellor ON supervision_items (counsellor_id);
CREATE INDEX ratings_counsellor_fk ON ratings (counsellor_id);

-- The sampling rule: more than sample_threshold percent poor ratings among a
-- counsellor's last sample_window rated conversations puts sample_size of
-- them in the supervisors' queue.
ALTER TABLE offices ADD COLUMN sample_window BIGINT NOT NULL DEFAULT 20;
ALTER TABLE offices ADD COLUMN sample_threshold BIGINT NOT NULL DEFAULT 30;
ALTER TABLE offices ADD COLUMN sample_size BIGINT NOT NULL DEFAULT 3;

-- Until when a supervisor has seen the office's risk flags: newer ones show
-- a banner on every page of theirs.
ALTER TABLE accounts ADD COLUMN flags_seen_at BIGINT NOT NULL DEFAULT 0;

