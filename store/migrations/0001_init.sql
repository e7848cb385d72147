-- Offices, themes, accounts, consents, sessions, invites.
-- Personal fields are BLOBs sealed by the vault package under the account's data
-- key; the data key itself is stored only wrapped by the key-encryption key.
-- Times are Unix seconds (UTC).

CREATE TABLE offices (
	id             INTEGER PRIMARY KEY,
	slug           TEXT    NOT NULL UNIQUE,
	name           TEXT    NOT NULL,
	answer_time    TEXT    NOT NULL,
	terms_version  INTEGER NOT NULL DEFAULT 1,
	terms_text     TEXT    NOT NULL,
	collect_region INTEGER NOT NULL DEFAULT 1,
	created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE themes (
	id         INTEGER PRIMARY KEY,
	office_id  INTEGER NOT NULL REFERENCES offices(id),
	slug       TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	position   INTEGER NOT NULL,
	retired_at INTEGER,
	UNIQUE (office_id, slug)
) STRICT;

CREATE TABLE accounts (
	id                TEXT    PRIMARY KEY,
	office_id         INTEGER NOT NULL REFERENCES offices(id),
	kind              TEXT    NOT NULL CHECK (kind IN ('seeker', 'staff')),
	role              TEXT    CHECK (role IN ('counsellor', 'supervisor', 'admin')),
	nickname_index    BLOB    NOT NULL UNIQUE,
	data_key          BLOB    NOT NULL,
	nickname          BLOB    NOT NULL,
	display_name      BLOB,
	email             BLOB,
	age_band          BLOB,
	gender            BLOB,
	region            BLOB,
	password_hash     TEXT    NOT NULL DEFAULT '',
	totp_secret       BLOB,
	terms_version     INTEGER NOT NULL DEFAULT 0,
	terms_accepted_at INTEGER,
	failed_logins     INTEGER NOT NULL DEFAULT 0,
	last_failed_at    INTEGER NOT NULL DEFAULT 0,
	trainee           INTEGER NOT NULL DEFAULT 0,
	disabled          INTEGER NOT NULL DEFAULT 0,
	created_at        INTEGER NOT NULL,
	last_active_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX accounts_office_kind ON accounts (office_id, kind, role);

CREATE TABLE consents (
	id            INTEGER PRIMARY KEY,
	account_id    TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	office_id     INTEGER NOT NULL REFERENCES offices(id),
	terms_version INTEGER NOT NULL,
	accepted_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_account ON consents (account_id);

CREATE TABLE sessions (
	token_hash    BLOB    PRIMARY KEY,
	account_id    TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_at    INTEGER NOT NULL,
	last_seen_at  INTEGER NOT NULL,
	second_factor INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time links for staff to set a password and enrol TOTP. Only a SHA-256 of the
-- token is kept.
CREATE TABLE invites (
	token_hash  BLOB    PRIMARY KEY,
	account_id  TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	office_id   INTEGER NOT NULL REFERENCES offices(id),
	first_admin INTEGER NOT NULL DEFAULT 0,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
) STRICT;

-- A canary sealed under the key-encryption key and a blind index of a fixed
-- string: a key file that does not belong to this database is refused at start.
CREATE TABLE keyring_check (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	kek_id      INTEGER NOT NULL,
	kek_canary  BLOB    NOT NULL,
	index_check BLOB    NOT NULL
) STRICT;
