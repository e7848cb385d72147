package store

import "fmt"

// sealedColumn is a column that holds only ciphertext made by the vault
// package, and what it is sealed under.
type sealedColumn struct {
	table, column string
	under         string
}

// Keys a column can be sealed under.
const (
	underDataKey   = "the data key of the help-seeker or staff member the row belongs to"
	underMasterKey = "master.key, the key-encryption key"
)

// sealedColumns declares every column that holds ciphertext, in one place. The
// sealer refuses any column not listed here, and a test checks the list
// against the migrations: every BLOB column is either here or in
// unsealedBlobs, and every column here exists.
var sealedColumns = []sealedColumn{
	{"accounts", "nickname", underDataKey},
	{"accounts", "display_name", underDataKey},
	{"accounts", "email", underDataKey},
	{"accounts", "age_band", underDataKey},
	{"accounts", "gender", underDataKey},
	{"accounts", "region", underDataKey},
	{"accounts", "totp_secret", underDataKey},
	{"accounts", "totp_pending", underDataKey},
	{"accounts", "data_key", underMasterKey},
	{"keyring_check", "kek_canary", underMasterKey},
	{"threads", "subject", underDataKey},
	{"threads", "flag_reason", underDataKey},
	{"messages", "body", underDataKey},
	{"notes", "body", underDataKey},
	{"drafts", "body", underDataKey},
	{"drafts", "comment", underDataKey},
	{"outbox", "recipient", underDataKey},
	{"outbox", "link", underDataKey},
	{"accounts", "recovery_pending", underDataKey},
	{"blocks", "reason", underDataKey},
	{"push_subscriptions", "subscription", underDataKey},
	{"group_chats", "theme", underDataKey},
	{"group_chats", "rules", underDataKey},
	{"group_messages", "body", underDataKey},

	{"snippets", "title", underDataKey},
	{"snippets", "body", underDataKey},
	{"ratings", "comment", underDataKey},
	{"supervision_items", "reason", underDataKey},
	{"supervision_items", "note", underDataKey},
	{"live_values", "value", underMasterKey},
	{"guess_keys", "key", underMasterKey},
	{"live_events", "payload", underMasterKey},
}

// systemRow says, for a table with a column sealed under master.key (the
// account data keys aside, which accounts.id binds), which row each value
// is bound to, as SQL over the table, and what a key rotation does with the
// values. Opening every sealed value (OpenEverySealed) and rotating the keys
// (RotateKeys) both go by this list, so a column sealed under master.key
// that is not here stops both instead of being left behind.
type systemRow struct {
	row string
	// clearAtRotation: the rotation deletes the table's rows instead of
	// sealing them again under the new key.
	clearAtRotation bool
}

var systemRows = map[string]systemRow{
	"keyring_check": {row: "CAST(id AS TEXT)"},
	// A counsellor's availability (kept until they end it), rings and
	// confirmations that expire in minutes: sealed again, so that a
	// counsellor who was available still is after the nodes start again.
	"live_values": {row: "key"},
	// The day's key for the login limiter's hashes: sealed again, because
	// today's counts of guesses and wrong passwords are kept under hashes
	// made with it, and a new key would let a guesser start afresh.
	"guess_keys": {row: "CAST(day AS TEXT)"},
	// Frames that crossed between running nodes: a node reads only events
	// newer than the newest it finds when it starts, and every node is
	// stopped for a rotation, so no one will read these again.
	"live_events": {row: "id", clearAtRotation: true},
}

// unsealedBlobs are the BLOB columns that hold no ciphertext, each with the
// reason it needs none.
var unsealedBlobs = map[[2]string]string{
	{"accounts", "nickname_index"}:      "keyed blind index (HMAC with index.key) of the nickname, for lookup without the nickname",
	{"keyring_check", "index_check"}:    "blind index of a fixed text, to check that index.key belongs to the database",
	{"sessions", "token_hash"}:          "SHA-256 of a random session token",
	{"invites", "token_hash"}:           "SHA-256 of a random invite token",
	{"accounts", "recovery_hash"}:       "SHA-256 of a random recovery code of 100 bits",
	{"password_resets", "token_hash"}:   "SHA-256 of a random reset-link token",
	{"threads", "stats_key"}:            "random key that links a live thread to its anonymous fact; it holds nothing about a person",
	{"contact_facts", "fact_key"}:       "the same random key, on the anonymous fact",
	{"contact_fact_themes", "fact_key"}: "the same random key, on the fact's themes",
	{"group_facts", "fact_key"}:         "random key of a group's anonymous fact; it links to nothing",
	{"guess_failures", "pair"}:          "SHA-256 of a client's keyed hash and an account id; the hash's key goes with the day",
	{"guess_networks", "network"}:       "keyed hash (with the day's guess key) of a network; the key goes with the day",
	{"guess_buckets", "client"}:         "keyed hash (with the day's guess key) of a client's address; the key goes with the day",
	{"survey_facts", "fact_key"}:        "random key of a survey answer's anonymous fact; it links to nothing",
	{"threads", "guest_pass"}:           "SHA-256 of a guest's pass to rate their chat, made from their session's token hash",
}

// checkSealed refuses to seal or open a column that is not declared sealed.
func checkSealed(table, column string) error {
	for _, c := range sealedColumns {
		if c.table == table && c.column == column {
			return nil
		}
	}
	return fmt.Errorf("%s.%s is not declared as a sealed column", table, column)
}
