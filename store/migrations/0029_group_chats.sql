-- Themed group chats. The theme and rules are sealed under the data key of
-- the staff member who scheduled the group; each message under its
-- author's. Participants are known in a group only by their number in it
-- (member_no: "Participant 3"), never by their nickname.
CREATE TABLE group_chats (
	id           TEXT    PRIMARY KEY,
	office_id    INTEGER NOT NULL REFERENCES offices(id),
	created_by   TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	moderator_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	theme        BLOB    NOT NULL,
	rules        BLOB    NOT NULL,
	starts_at    INTEGER NOT NULL,
	ends_at      INTEGER NOT NULL,
	max_size     INTEGER NOT NULL CHECK (max_size BETWEEN 2 AND 50),
	ended_at     INTEGER,
	-- Set once the group's size is in the anonymous statistics.
	counted      INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX group_chats_office ON group_chats (office_id, ends_at);

CREATE TABLE group_members (
	group_id   TEXT    NOT NULL REFERENCES group_chats(id) ON DELETE CASCADE,
	account_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	member_no  INTEGER NOT NULL,
	joined_at  INTEGER NOT NULL,
	muted      INTEGER NOT NULL DEFAULT 0,
	removed_at INTEGER,
	PRIMARY KEY (group_id, account_id),
	UNIQUE (group_id, member_no)
) STRICT;

CREATE TABLE group_messages (
	id         TEXT    PRIMARY KEY,
	group_id   TEXT    NOT NULL REFERENCES group_chats(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	author_id  TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	-- The author's number in the group; NULL for the moderator.
	member_no  INTEGER,
	body       BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (group_id, seq)
) STRICT;

-- The anonymous fact of a group: its office, month and how many took part,
-- in a bucket. Nothing links it to the group.
CREATE TABLE group_facts (
	fact_key  BLOB    PRIMARY KEY,
	office_id INTEGER NOT NULL REFERENCES offices(id),
	year      INTEGER NOT NULL,
	month     INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	size      TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
