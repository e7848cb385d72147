package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ceilings are what this PostgreSQL does without Confidant.
type ceilings struct {
	insertPerSec, insertP50, insertP99 float64 // ms
	insertCPU                          string
	notifyP50, notifyP99               float64
}

// insertScript is pgbench's transaction: one row of 1 KiB, as a reply's
// sealed body is about, into a table with an identity key and an index, as
// the messages table has.
const insertScript = `\set thread random(1, 1000)
INSERT INTO ceiling (thread, body) VALUES (:thread, convert_to(repeat('x', 1024), 'UTF8'));
`

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

// insertCeiling runs pgbench with the insert script from -conns connections
// for -phase on a database of its own, and reads every transaction's
// latency from pgbench's log.
func insertCeiling(ctx context.Context, work string) *ceilings {
	db := createDatabase(ctx, "bench_ceiling")
	conn, err := pgx.Connect(ctx, db)
	check(err)
	_, err = conn.Exec(ctx, `CREATE TABLE ceiling (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		thread BIGINT NOT NULL, body BYTEA NOT NULL);
		CREATE INDEX ceiling_thread ON ceiling (thread, id)`)
	check(err)
	conn.Close(ctx)

	dir := filepath.Join(work, "pgbench")
	check(os.MkdirAll(dir, 0o755))
	script := filepath.Join(dir, "insert.sql")
	check(os.WriteFile(script, []byte(insertScript), 0o644))
	jobs := min(*conns, runtime.NumCPU())
	cmd := exec.Command(*pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(*conns), "-j", strconv.Itoa(jobs),
		"-T", strconv.Itoa(max(1, int(phase.Seconds()))), "-f", script, "--log", "--log-prefix", filepath.Join(dir, "log"), db)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	cpu := startCPU(nil)
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s", out)
		check(fmt.Errorf("pgbench: %w", err))
	}
	usage := cpu.stop()
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		check(fmt.Errorf("pgbench printed no tps:\n%s", out))
	}
	c := &ceilings{}
	c.insertPerSec, _ = strconv.ParseFloat(string(m[1]), 64)
	c.insertCPU = usage.String("pgbench")

	// Each line of the log is one transaction: client, transaction, its
	// latency in µs, script, and when it ended.
	logs, err := filepath.Glob(filepath.Join(dir, "log.*"))
	check(err)
	var lat latencies
	for _, name := range logs {
		f, err := os.Open(name)
		check(err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err == nil {
				lat.add(time.Duration(us) * time.Microsecond)
			}
		}
		f.Close()
	}
	if lat.n() == 0 {
		check(fmt.Errorf("pgbench wrote no log in %s", dir))
	}
	c.insertP50, c.insertP99 = lat.pct(0.5), lat.pct(0.99)
	return c
}

// notifyCeiling times a NOTIFY, closed loop, from its sending on one
// connection until it reaches a LISTEN on another, for half a phase.
func notifyCeiling(ctx context.Context) (p50, p99 float64) {
	db := createDatabase(ctx, "bench_notify")
	listener, err := pgx.Connect(ctx, db)
	check(err)
	defer listener.Close(ctx)
	notifier, err := pgx.Connect(ctx, db)
	check(err)
	defer notifier.Close(ctx)
	_, err = listener.Exec(ctx, `LISTEN bench`)
	check(err)
	var lat latencies
	deadline := time.Now().Add(*phase / 2)
	for i := 0; time.Now().Before(deadline); i++ {
		want := strconv.Itoa(i)
		t0 := time.Now()
		_, err := notifier.Exec(ctx, `SELECT pg_notify('bench', $1)`, want)
		check(err)
		for {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			n, err := listener.WaitForNotification(wctx)
			cancel()
			check(err)
			if n.Payload == want {
				break
			}
		}
		lat.add(time.Since(t0))
	}
	return lat.pct(0.5), lat.pct(0.99)
}
