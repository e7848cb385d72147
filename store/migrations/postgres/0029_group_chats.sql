-- Themed group chats. The theme and rules are sealed under the data key of
-- the staff member who scheduled the group; each message under its
-- author's. Participants are known in a group only by their number in it
-- (member_no: "Participant 3"), never by their nickname.
CREATE TABLE group_chats (
	id           TEXT COLLATE "C"    PRIMARY KEY,
	office_id    BIGINT NOT NULL REFERENCES offices(id),
	created_by   TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	moderator_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	theme        BYTEA    NOT NULL,
	rules        BYTEA    NOT NULL,
	starts_at    BIGINT NOT NULL,
	ends_at      BIGINT NOT NULL,
	max_size     BIGINT NOT NULL CHECK (max_size BETWEEN 2 AND 50),
	ended_at     BIGINT,
	-- Set once the group's size is in the anonymous statistics.
	counted      BIGINT NOT NULL DEFAULT 0,
	created_at   BIGINT NOT NULL
);
CREATE INDEX group_chats_office ON group_chats (office_id, ends_at);

CREATE TABLE group_members (
	group_id   TEXT COLLATE "C"    NOT NULL REFERENCES group_chats(id) ON DELETE CASCADE,
	account_id TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	member_no  BIGINT NOT NULL,
	joined_at  BIGINT NOT NULL,
	muted      BIGINT NOT NULL DEFAULT 0,
	removed_at BIGINT,
	PRIMARY KEY (group_id, account_id),
	UNIQUE (group_id, member_no)
);

CREATE TABLE group_messages (
	id         TEXT COLLATE "C"    PRIMARY KEY,
	group_id   TEXT COLLATE "C"    NOT NULL REFERENCES group_chats(id) ON DELETE CASCADE,
	seq        BIGINT NOT NULL,
	author_id  TEXT COLLATE "C"    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	-- The author's number in the group; NULL for the moderator.
	member_no  BIGINT,
	body       BYTEA    NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (group_id, seq)
);

-- The anonymous fact of a group: its office, month and how many took part,
-- in a bucket. Nothing links it to the group.
CREATE TABLE group_facts (
	fact_key  BYTEA    PRIMARY KEY,
	office_id BIGINT NOT NULL REFERENCES offices(id),
	year      BIGINT NOT NULL,
	month     BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
	size      TEXT COLLATE "C"    NOT NULL
);
