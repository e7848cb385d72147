// Command benchpg is `make bench-postgres`: Confidant with 1, 2 and 3 nodes
// on one PostgreSQL on this machine. It measures that PostgreSQL's ceilings
// first (a plain 1 KiB insert per transaction with pgbench, from as many
// connections as the reply load has; a NOTIFY from one connection until it
// reaches a LISTEN on another), then, for each number of nodes, on a fresh
// database: counsellors posting replies over HTTP spread evenly across the
// nodes (closed loop, each connection its own counsellor and thread), and
// live chats whose guest is on the first node and whose counsellor is on
// another, timing each message from its sending on one node to its arrival
// on the other. It prints each figure next to its ceiling as a ratio, with
// where the machine's CPU went and the load average.
//
// Everything runs on this one machine: PostgreSQL, the nodes and the load
// generator share its cores, which is what the CPU rows show.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	database = flag.String("database", "", "postgres:// URL of a PostgreSQL server's database as a superuser (make bench-postgres starts a throwaway cluster and passes it); a database per phase is created beside it")
	pgbench  = flag.String("pgbench", "pgbench", "the pgbench program of that server")
	quick    = flag.Bool("quick", false, "short phases and a small office: checks that the driver works end to end, measures nothing worth keeping")
	phase    = flag.Duration("phase", 10*time.Second, "how long each ceiling and each load phase runs")
	conns    = flag.Int("conns", 12, "HTTP connections posting replies, spread evenly across the nodes; pgbench gets as many")
	nodeList = flag.String("nodes", "1,2,3", "the numbers of nodes to measure")
	threads  = flag.Int("threads", 10_000, "threads seeded into each office before it is measured")
	chats    = flag.Int("chats", 12, "live chats measured at once")
	think    = flag.Duration("think", 100*time.Millisecond, "mean pause before a chat's side answers the other's message (drawn evenly from 0 to twice this)")
)

// row is one figure of the report, with its ceiling and their ratio.
type row struct {
	name, value, ceiling, ratio, load string
}

var rows []row

func add(name, value, ceiling, ratio string) {
	rows = append(rows, row{name, value, ceiling, ratio, loadavg()})
	fmt.Fprintf(os.Stderr, "  %-52s %-26s %-30s %s\n", name, value, ceiling, ratio)
}

func main() {
	flag.Parse()
	if *database == "" {
		fmt.Fprintln(os.Stderr, "benchpg: -database is required (make bench-postgres starts a cluster and passes it)")
		os.Exit(2)
	}
	raiseFileLimit()
	if *quick {
		*phase = 2 * time.Second
		*threads = 200
		*conns = 6
		*chats = 4
	}
	var counts []int
	for _, f := range strings.Split(*nodeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			check(fmt.Errorf("-nodes: %q is no number of nodes", f))
		}
		counts = append(counts, n)
	}
	started := time.Now()
	ctx := context.Background()
	version := serverVersion(ctx)
	fmt.Fprintf(os.Stderr, "bench-postgres: %s, %d cores, PostgreSQL %s, load %s\n", hostDesc(), runtime.NumCPU(), version, loadavg())

	work, err := os.MkdirTemp("", "confidant-benchpg-")
	check(err)
	defer os.RemoveAll(work)

	fmt.Fprintln(os.Stderr, "ceilings:")
	c := insertCeiling(ctx, work)
	add(fmt.Sprintf("ceiling: PostgreSQL 1 KiB insert per transaction (pgbench, %d connections)", *conns),
		perSec(c.insertPerSec), fmt.Sprintf("p50 %s p99 %s", ms(c.insertP50), ms(c.insertP99)), "1")
	add("ceiling: PostgreSQL CPU during pgbench", c.insertCPU, "", "")
	c.notifyP50, c.notifyP99 = notifyCeiling(ctx)
	add("ceiling: PostgreSQL NOTIFY to another connection's LISTEN", fmt.Sprintf("p50 %s p99 %s", ms(c.notifyP50), ms(c.notifyP99)), "", "1")

	bin := build(work)
	var oneNode float64
	for _, n := range counts {
		rate := runNodes(ctx, work, bin, n, c)
		if n == 1 {
			oneNode = rate
		} else if oneNode > 0 {
			add(fmt.Sprintf("%d nodes: reply posts/s against 1 node", n), perSec(rate), perSec(oneNode)+" with 1 node", ratio(rate/oneNode))
		}
	}

	fmt.Printf("\nConfidant bench-postgres, %s, %s, %d cores (GOMAXPROCS %d), PostgreSQL %s, %s, took %s\n",
		started.UTC().Format("2006-01-02 15:04 MST"), hostDesc(), runtime.NumCPU(), runtime.GOMAXPROCS(0),
		version, runtime.Version(), time.Since(started).Round(time.Second))
	fmt.Printf("| %s | %s | %s | %s | %s |\n", "figure", "value", "ceiling", "ratio", "load avg (1/5/15 min)")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.name, r.value, r.ceiling, r.ratio, r.load)
	}
}

// withDatabase is the server URL naming another database.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	check(err)
	u.Path = "/" + name
	return u.String()
}

// createDatabase creates an empty database on the server and returns its URL.
func createDatabase(ctx context.Context, name string) string {
	admin, err := pgx.Connect(ctx, *database)
	check(err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name)
	check(err)
	_, err = admin.Exec(ctx, `CREATE DATABASE `+name)
	check(err)
	return withDatabase(*database, name)
}

func serverVersion(ctx context.Context) string {
	conn, err := pgx.Connect(ctx, *database)
	check(err)
	defer conn.Close(ctx)
	var v string
	check(conn.QueryRow(ctx, `SHOW server_version`).Scan(&v))
	return strings.Fields(v)[0]
}

// latencies collects request durations from parallel workers.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// pct is the p-th quantile in milliseconds.
func (l *latencies) pct(p float64) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	slices.Sort(l.d)
	return float64(l.d[min(len(l.d)-1, int(float64(len(l.d))*p))].Microseconds()) / 1000
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

func hostDesc() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	return model
}

func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func perSec(v float64) string { return fmt.Sprintf("%.0f/s", v) }
func ms(v float64) string     { return fmt.Sprintf("%.2f ms", v) }
func times(v float64) string  { return fmt.Sprintf("%.1f×", v) }

// ratio keeps two significant digits of a small ratio.
func ratio(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpg:", err)
		killAll()
		os.Exit(1)
	}
}
