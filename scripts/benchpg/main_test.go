package main

import (
	"os"
	"testing"
	"time"
)

// The insert ceiling's rate is read from pgbench's summary as PostgreSQL 15
// prints it; a summary that no longer matches stops the run instead of
// printing a ceiling of nothing.
func TestTPSLine(t *testing.T) {
	out := `transaction type: /tmp/insert.sql
scaling factor: 1
query mode: prepared
number of clients: 12
number of threads: 2
duration: 10 s
number of transactions actually processed: 160551
latency average = 0.747 ms
initial connection time = 9.153 ms
tps = 16055.123456 (without initial connection time)
`
	m := tpsLine.FindStringSubmatch(out)
	if m == nil || m[1] != "16055.123456" {
		t.Fatalf("tps read as %q", m)
	}
}

// The CPU rows count a process's own time, and with its ended children's
// when asked: this test process has used some CPU, and never less with its
// children than without.
func TestProcTicks(t *testing.T) {
	// Work for at least a few clock ticks first.
	deadline := time.Now().Add(100 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	own := procTicks(os.Getpid(), false)
	all := procTicks(os.Getpid(), true)
	if own <= 0 || all < own {
		t.Fatalf("own %v, with children %v", own, all)
	}
	if parent(os.Getpid()) != os.Getppid() {
		t.Fatalf("parent %d, want %d", parent(os.Getpid()), os.Getppid())
	}
}

func TestOthers(t *testing.T) {
	for n, want := range map[int]string{2: "node 2", 3: "nodes 2 and 3", 4: "nodes 2, 3 and 4"} {
		if got := others(n); got != want {
			t.Errorf("others(%d) = %q, want %q", n, got, want)
		}
	}
}

// The races are counted by the statement that lost them, read from the
// server's log as PostgreSQL 15 writes it.
func TestRacesSince(t *testing.T) {
	log := `2026-11-23 11:18:38.690 UTC [22501] ERROR:  could not serialize access due to concurrent update
2026-11-23 11:18:38.690 UTC [22501] STATEMENT:  INSERT INTO fact_tallies (office_id, year, dimension, value, contacts, seeker_messages, staff_messages)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (office_id, year, dimension, value) DO UPDATE SET
2026-11-23 11:18:38.700 UTC [22502] ERROR:  could not serialize access due to concurrent update
2026-11-23 11:18:38.700 UTC [22502] STATEMENT:  INSERT INTO fact_tallies (office_id, year, dimension, value, contacts, seeker_messages, staff_messages)
2026-11-23 11:18:38.710 UTC [22503] ERROR:  could not serialize access due to read/write dependencies among transactions
2026-11-23 11:18:38.710 UTC [22503] DETAIL:  Reason code: Canceled on identification as a pivot, during conflict out checking.
2026-11-23 11:18:38.710 UTC [22503] HINT:  The transaction might succeed if retried.
2026-11-23 11:18:38.710 UTC [22503] STATEMENT:  UPDATE contact_facts SET counsellor_messages = counsellor_messages + $2 WHERE fact_key = $1
`
	name := t.TempDir() + "/server.log"
	if err := os.WriteFile(name, []byte("before the mark\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	*pgLog = name
	defer func() { *pgLog = "" }()
	mark := logMark()
	f, _ := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(log)
	f.Close()
	if got, want := racesSince(mark), "3 (INSERT fact_tallies 2, UPDATE contact_facts 1)"; got != want {
		t.Fatalf("races %q, want %q", got, want)
	}
}
