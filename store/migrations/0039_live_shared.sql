-- What several nodes on one database share so that they serve one office
-- as one; on a single node all of it lives in memory and these tables stay
-- empty.
--
-- The live state (live.Shared): which nodes are alive, how many connections
-- of a kind each node holds open, and small values that expire. Keys are
-- made of kinds and ids only; a value may name a person (a ring names both
-- sides) and is sealed under master.key, bound to its key.
CREATE TABLE live_nodes (
	node    TEXT    PRIMARY KEY,
	seen_at INTEGER NOT NULL
);

CREATE TABLE live_tallies (
	node TEXT    NOT NULL,
	key  TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (node, key)
);
CREATE INDEX live_tallies_key ON live_tallies (key);

CREATE TABLE live_values (
	key        TEXT    PRIMARY KEY,
	value      BLOB    NOT NULL,
	expires_at INTEGER NOT NULL -- unix seconds; 0: until deleted
);

-- The login limiter's counts, where every node counts a client alike: the
-- day's random key that turns an address into a client's hash (sealed under
-- master.key), and a token bucket per hash. Both go with the day.
CREATE TABLE guess_keys (
	day INTEGER PRIMARY KEY,
	key BLOB    NOT NULL
);

CREATE TABLE guess_buckets (
	client  BLOB    PRIMARY KEY,
	tokens  REAL    NOT NULL,
	last_ms INTEGER NOT NULL, -- unix milliseconds of the last attempt
	spent   INTEGER NOT NULL  -- whether the last attempt found a token
);

-- The wrong passwords per client (or network) and account, and the networks
-- that failed against each account lately (auth.Guesses): a pair is a hash
-- of the client's keyed hash and the account, a network its keyed hash.
-- Rows go once their window has passed.
CREATE TABLE guess_failures (
	pair    BLOB    PRIMARY KEY,
	n       INTEGER NOT NULL,
	since   INTEGER NOT NULL,
	last_at INTEGER NOT NULL
);

CREATE TABLE guess_networks (
	account_id TEXT    NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	network    BLOB    NOT NULL,
	last_at    INTEGER NOT NULL,
	PRIMARY KEY (account_id, network)
);

-- The live events that cross nodes (counselling/live/pgbus): each a frame
-- sealed under master.key, bound to its random id; a notification carries
-- only its seq. Kept a few minutes.
CREATE TABLE live_events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT    NOT NULL UNIQUE,
	node       TEXT    NOT NULL,
	payload    BLOB    NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX live_events_created ON live_events (created_at);
