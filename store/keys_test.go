package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"confidant/counselling/vault"
	"confidant/store"
	"confidant/store/storetest"
)

// newKeys makes the keys a rotation moves to.
func newKeys(t *testing.T) *vault.Keyring {
	t.Helper()
	id, kek, err := vault.NewKEK()
	if err != nil {
		t.Fatal(err)
	}
	index, err := vault.NewIndexKey()
	if err != nil {
		t.Fatal(err)
	}
	next, err := vault.NewKeyring(id, kek, index, nil)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// After a rotation, what the nodes keep under master.key outside the
// accounts still opens: a counsellor who was available still is, and the
// day's guess key is the same, so today's counts of guesses still hold.
// Frames that crossed between the stopped nodes are gone, and every value
// left sealed under master.key opens with the new key alone.
func TestARotationSealsTheLiveStateAgainAndClearsTheEvents(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	live := db.LiveState("node-a")
	if err := live.Put(ctx, "avail/counsellor-1", []byte("available"), 0); err != nil {
		t.Fatal(err)
	}
	day := db.Clock.Now().Unix() / 86400
	guessKey, err := db.GuessKey(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	old, err := vault.LoadOrCreate(db.Dir, true)
	if err != nil {
		t.Fatal(err)
	}
	frame, err := old.SealSystem([]byte(`{"chat":"c1","seq":1}`), vault.Location{Table: "live_events", Column: "payload", Row: "e1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw(t).Exec(`INSERT INTO live_events (id, node, payload, created_at) VALUES (?, ?, ?, ?)`,
		"e1", "node-a", frame, db.Clock.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	before, err := db.OpenEverySealed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"live_values.value", "guess_keys.key", "live_events.payload", "keyring_check.kek_canary"} {
		if before[col] != 1 {
			t.Errorf("before the rotation %d values of %s opened, want 1 (all: %v)", before[col], col, before)
		}
	}

	if _, err := db.RotateKeys(ctx, newKeys(t)); err != nil {
		t.Fatal(err)
	}
	if v, err := live.Get(ctx, "avail/counsellor-1"); err != nil || string(v) != "available" {
		t.Errorf("a counsellor's availability after the rotation: %q, %v", v, err)
	}
	again, err := db.GuessKey(ctx, day)
	if err != nil {
		t.Fatalf("the day's guess key after the rotation: %v", err)
	}
	if !bytes.Equal(again, guessKey) {
		t.Error("the day's guess key changed with the rotation, so today's counts of guesses were forgotten")
	}
	if n := db.Count(t, `SELECT count(*) FROM live_events`); n != 0 {
		t.Errorf("%d live events of the stopped nodes are left after the rotation", n)
	}
	after, err := db.OpenEverySealed(ctx)
	if err != nil {
		t.Fatalf("a sealed value does not open after the rotation: %v", err)
	}
	if after["live_values.value"] != 1 || after["guess_keys.key"] != 1 {
		t.Errorf("after the rotation: %v", after)
	}
}

// Every sealed value opens means every sealed column, also those sealed
// under master.key: a live value that master.key cannot open is found.
func TestOpeningEverySealedValueFindsALiveValueThatDoesNotOpen(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	other := newKeys(t)
	sealed, err := other.SealSystem([]byte("available"), vault.Location{Table: "live_values", Column: "value", Row: "avail/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Raw(t).Exec(`INSERT INTO live_values (key, value, expires_at) VALUES (?, ?, 0)`, "avail/x", sealed); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenEverySealed(ctx); err == nil || !strings.Contains(err.Error(), "live_values.value") {
		t.Fatalf("a live value sealed under another master.key: %v", err)
	}
}

// The keys do not rotate while a node of the office has beaten lately: the
// refusal names the node and says how long to wait, nothing changes, and
// once the node has been silent long enough the rotation goes ahead.
func TestKeysDoNotRotateWhileANodeRuns(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	if err := db.LiveState("node-b").Beat(ctx); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(10 * time.Second)
	_, err := db.RotateKeys(ctx, newKeys(t))
	var running *store.NodesRunningError
	if !errors.As(err, &running) {
		t.Fatalf("rotation beside a running node: %v", err)
	}
	for _, want := range []string{"node-b (last seen 10 seconds ago)", "Stop every node", "try again in 21 seconds"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q: %v", want, err)
		}
	}
	// Nothing changed: the store's own keys still open everything.
	if _, err := db.OpenEverySealed(ctx); err != nil {
		t.Fatalf("after the refusal: %v", err)
	}
	db.Clock.Advance(21 * time.Second)
	if _, err := db.RotateKeys(ctx, newKeys(t)); err != nil {
		t.Fatalf("rotation once the node is gone: %v", err)
	}
}
