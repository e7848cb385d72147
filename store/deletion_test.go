package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

// sealedBytes reads, as stored, the ciphertexts of an account: its wrapped
// data key, its sealed profile fields, and the subjects and bodies of its
// threads.
func sealedBytes(t *testing.T, db *storetest.DB, accountID string) map[string][]byte {
	t.Helper()
	raw := openRaw(t, db)
	out := map[string][]byte{}
	var key, nick, email, region []byte
	if err := raw.QueryRow(`SELECT data_key, nickname, email, region FROM accounts WHERE id = ?`, accountID).
		Scan(&key, &nick, &email, &region); err != nil {
		t.Fatal(err)
	}
	out["accounts.data_key"], out["accounts.nickname"], out["accounts.email"], out["accounts.region"] = key, nick, email, region
	rows, err := raw.Query(`SELECT m.id, m.body FROM messages m JOIN threads t ON t.id = m.thread_id WHERE t.seeker_id = ?`, accountID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			t.Fatal(err)
		}
		out["messages.body "+id] = body
	}
	var subject []byte
	if err := raw.QueryRow(`SELECT subject FROM threads WHERE seeker_id = ?`, accountID).Scan(&subject); err != nil {
		t.Fatal(err)
	}
	out["threads.subject"] = subject
	for name, b := range out {
		if len(b) < 16 {
			t.Fatalf("%s holds no ciphertext to look for", name)
		}
	}
	return out
}

// assertGoneFromFiles checks that none of the byte strings is anywhere in the
// database file or its WAL.
func assertGoneFromFiles(t *testing.T, db *storetest.DB, sealed map[string][]byte) {
	t.Helper()
	for _, file := range []string{db.Path(), db.Path() + "-wal"} {
		content, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for name, b := range sealed {
			if bytes.Contains(content, b) {
				t.Errorf("the deleted %s is still in %s", name, file)
			}
		}
	}
}

func deletableAccount(t *testing.T, db *storetest.DB) (string, map[string][]byte) {
	t.Helper()
	addRegions(t, db, 1, "Gent")
	c := seekerCaller(t, db, "Gone Tomorrow", "gone.tomorrow@example.org")
	thread, err := db.CreateThread(context.Background(), c, counselling.Enquiry{Theme: "family", Subject: "A subject to forget", Body: "words to forget"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Reply(context.Background(), c, thread, "more words to forget", false); err != nil {
		t.Fatal(err)
	}
	return c.AccountID, sealedBytes(t, db, c.AccountID)
}

func TestDeletedCiphertextLeavesNoBytesInDatabaseOrWAL(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	id, sealed := deletableAccount(t, db)
	if _, err := db.DeleteAccount(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	assertGoneFromFiles(t, db, sealed)
}

func TestSecureDeleteIsOnForEveryConnection(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	on, err := db.SecureDeleteOnEveryConnection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(on) < 2 {
		t.Fatalf("looked at %d connections, want the writer and the readers", len(on))
	}
	for i, v := range on {
		if v != 1 {
			t.Fatalf("connection %d of %d has secure_delete = %d", i, len(on), v)
		}
	}
}

func TestDeletionCheckpointWaitsForAnOpenReader(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	id, sealed := deletableAccount(t, db)

	// A reader on a snapshot from before the deletion holds the old pages in
	// the WAL. It lets go only after the writer's own busy timeout (5 s), so
	// a checkpoint that gives up at the first busy answer leaves them there.
	reader, err := openRaw(t, db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(5500 * time.Millisecond)
		reader.ExecContext(ctx, `COMMIT`)
	}()
	if _, err := db.DeleteAccount(ctx, id); err != nil {
		t.Fatal(err)
	}
	waited := false
	select {
	case <-released:
		waited = true
	default:
	}
	<-released
	assertGoneFromFiles(t, db, sealed)
	if !waited {
		t.Fatal("the deletion returned while a reader still held the deleted pages")
	}
}

var errCrash = errors.New("simulated crash")

func TestDataKeyIsUnusableBeforeTheRowsAreDeleted(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	id, _ := deletableAccount(t, db)
	opened := true
	db.AfterKeyDestroyed(func(accountID string, wrapped []byte) error {
		opened = db.OpensDataKey(accountID, wrapped)
		return errCrash
	})
	if _, err := db.DeleteAccount(ctx, id); !errors.Is(err, errCrash) {
		t.Fatalf("delete with a crash after the key: %v", err)
	}
	if opened {
		t.Fatal("between overwriting the data key and deleting the rows, the key still opens")
	}
	// The crash stopped the one transaction: the account is whole again.
	if _, err := db.Account(ctx, id); err != nil {
		t.Fatalf("a failed deletion left the account unreadable: %v", err)
	}
}

func TestPurgeCrashAfterTheKeyLeavesNoOpenableKey(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	id, _ := deletableAccount(t, db)
	db.Clock.Advance(25 * 30 * 24 * time.Hour) // unused for more than 2 years
	db.AfterKeyDestroyed(func(string, []byte) error { return errCrash })
	if _, err := db.Purge(ctx, counselling.DefaultSessionPolicy, false); !errors.Is(err, errCrash) {
		t.Fatalf("purge with a crash after the key: %v", err)
	}
	var wrapped []byte
	if err := openRaw(t, db).QueryRow(`SELECT data_key FROM accounts WHERE id = ?`, id).Scan(&wrapped); err != nil {
		t.Fatalf("the crash should have stopped before the rows went: %v", err)
	}
	if db.OpensDataKey(id, wrapped) {
		t.Fatal("after a crash between the key and the rows, the data key still opens")
	}
	db.AfterKeyDestroyed(func(string, []byte) error { return nil })
	if _, err := db.Purge(ctx, counselling.DefaultSessionPolicy, false); err != nil {
		t.Fatal(err)
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE id = ?`, id); n != 0 {
		t.Fatal("the next purge did not finish the deletion")
	}
}

// lockedBuffer collects log lines written from the store's background work.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A reader that outlasts the checkpoint's patience does not turn a deletion
// that committed into a reported failure: the help-seeker is told it is done,
// the account is gone, and once the reader lets go a later checkpoint clears
// the WAL of the deleted rows. The log says what happened without naming
// anyone.
func TestDeletionOutlastedByAReaderStillSucceeds(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenSQLite(t, func(o *store.Options) { o.CheckpointPatience = 300 * time.Millisecond })
	logs := &lockedBuffer{}
	db.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	ctx := context.Background()
	id, sealed := deletableAccount(t, db)

	reader, err := openRaw(t, db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	d, err := db.DeleteAccount(ctx, id)
	if err != nil {
		t.Fatalf("a committed deletion reported failure: %v", err)
	}
	if d.Threads != 1 || d.Messages != 2 {
		t.Fatalf("deletion reports %d threads and %d messages, want 1 and 2", d.Threads, d.Messages)
	}
	if _, err := db.Account(ctx, id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("the deleted account is still there: %v", err)
	}
	if !strings.Contains(logs.String(), "checkpoint after a deletion failed") {
		t.Fatalf("the failed checkpoint was not logged:\n%s", logs.String())
	}
	if _, err := reader.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "checkpoint after a deletion done") {
		if time.Now().After(deadline) {
			t.Fatalf("no later checkpoint cleared the WAL:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	assertGoneFromFiles(t, db, sealed)
	for _, personal := range []string{id, "Gone Tomorrow", "gone.tomorrow@example.org", "forget"} {
		if strings.Contains(logs.String(), personal) {
			t.Fatalf("the log names %q", personal)
		}
	}
}
