package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"confidant/scripts/office"

	"github.com/jackc/pgx/v5"
)

// running are the node processes started, to be ended however the driver
// ends.
var (
	runningMu sync.Mutex
	running   []*office.Office
)

func killAll() {
	runningMu.Lock()
	defer runningMu.Unlock()
	for _, o := range running {
		o.Kill()
	}
	running = nil
}

func build(work string) string {
	fmt.Fprintln(os.Stderr, "building the binary")
	bin, err := office.Build(work)
	check(err)
	return bin
}

// cluster is an office on one PostgreSQL database served by several nodes,
// with a counsellor and a thread of theirs for each load connection.
type cluster struct {
	bin, db string
	nodes   []*office.Office
	staff   []*office.Client // one counsellor per load connection, logged in on the first node
	threads []string         // staff[i]'s thread
}

var (
	threadPath = regexp.MustCompile(`^/threads/([a-z2-7]{26})$`)
	chatPath   = regexp.MustCompile(`^/live/([a-z2-7]{26})$`)
)

// startCluster creates a fresh database, adds the counsellors, seeds the
// office and starts n nodes on it, every node with the same key files, as
// an office's nodes share them.
func startCluster(ctx context.Context, work, bin string, n int) *cluster {
	db := createDatabase(ctx, fmt.Sprintf("bench_nodes_%d", n))
	dir := filepath.Join(work, fmt.Sprintf("nodes-%d", n))
	cl := &cluster{bin: bin, db: db}
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = office.FreeAddr()
	}
	first := filepath.Join(dir, "node-0")
	base := "http://" + addrs[0]
	// The first command creates the key files and the schema; the others
	// find both.
	var invites []string
	for i := range *conns {
		link, err := office.Invite(bin, first, base, "counsellor", fmt.Sprintf("Bench Counsellor %d", i), "--database", db)
		check(err)
		invites = append(invites, link)
	}
	seed := exec.Command(bin, "seed", "--data", first, "--database", db, "--threads", strconv.Itoa(*threads), "--seekers", "1000")
	seed.Stdout, seed.Stderr = os.Stderr, os.Stderr
	check(seed.Run())
	for i, addr := range addrs {
		data := filepath.Join(dir, fmt.Sprintf("node-%d", i))
		if i > 0 {
			copyKeys(first, data)
		}
		// Every load connection comes from 127.0.0.1: the guessing limit,
		// which would count them as one client, is lifted for the run.
		o, err := office.Start(bin, data, addr, "--database", db, "--logins-per-minute", "100000")
		check(err)
		runningMu.Lock()
		running = append(running, o)
		runningMu.Unlock()
		cl.nodes = append(cl.nodes, o)
	}

	// Each counsellor enrols, and takes a thread written by a help-seeker
	// (two each: an office limits a help-seeker's open enquiries).
	var seeker *office.Client
	for i, link := range invites {
		c := office.NewClient(base)
		_, err := c.Enrol(link, "a counsellor's long passphrase")
		check(err)
		cl.staff = append(cl.staff, c)
		if i%2 == 0 {
			seeker = office.NewClient(base)
			check(seeker.Register(fmt.Sprintf("Bench Seeker %d", i/2), "a fine long password", ""))
		}
		resp, _, err := seeker.Post("/threads/new", url.Values{"theme": {"family"}, "body": {"a message to answer"}})
		check(err)
		m := threadPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			check(fmt.Errorf("a new thread went to %q", resp.Header.Get("Location")))
		}
		if resp, _, err := c.Post("/inbox/"+m[1]+"/take", url.Values{}); err != nil || resp.StatusCode != http.StatusSeeOther {
			check(fmt.Errorf("take: %v %v", err, resp))
		}
		cl.threads = append(cl.threads, m[1])
	}
	return cl
}

func copyKeys(from, to string) {
	check(os.MkdirAll(to, 0o700))
	for _, name := range []string{"master.key", "index.key", "vapid.key"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		check(err)
		check(os.WriteFile(filepath.Join(to, name), b, 0o600))
	}
}

func (cl *cluster) stop() {
	runningMu.Lock()
	defer runningMu.Unlock()
	for _, o := range cl.nodes {
		o.Kill()
	}
	running = slices.DeleteFunc(running, func(o *office.Office) bool { return slices.Contains(cl.nodes, o) })
}

func (cl *cluster) pids() []int {
	var p []int
	for _, o := range cl.nodes {
		p = append(p, o.Pid())
	}
	return p
}

// replies posts replies from -conns connections for -phase, closed loop:
// connection i is counsellor i replying to their thread through node
// i mod n, on a keep-alive connection of its own, as a load balancer
// spreading connections evenly would send them.
func (cl *cluster) replies() (*latencies, time.Duration, string) {
	body := url.Values{"body": {strings.Repeat("A calm and careful answer. ", 40)}}.Encode()
	var lat latencies
	var mu sync.Mutex
	failed := map[string]int{}
	fail := func(why string) {
		mu.Lock()
		failed[why]++
		mu.Unlock()
	}
	deadline := time.Now().Add(*phase)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range *conns {
		node := cl.nodes[i%len(cl.nodes)]
		cookie := cl.staff[i].Cookie()
		path := "/inbox/" + cl.threads[i] + "/reply"
		wg.Go(func() {
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodPost, node.Base+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", node.Base)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				req.Header.Set("Cookie", cookie)
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					fail("error")
					continue
				}
				drain(resp)
				if resp.StatusCode == http.StatusSeeOther {
					lat.add(time.Since(t0))
				} else {
					fail(strconv.Itoa(resp.StatusCode))
				}
			}
		})
	}
	wg.Wait()
	var why []string
	for k, v := range failed {
		why = append(why, fmt.Sprintf("%s×%d", k, v))
	}
	slices.Sort(why)
	return &lat, time.Since(start), strings.Join(why, " ")
}

func drain(resp *http.Response) {
	buf := make([]byte, 32<<10)
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
	resp.Body.Close()
}

// runNodes measures replies and live delivery with n nodes and returns the
// reply rate.
func runNodes(ctx context.Context, work, bin string, n int, c *ceilings) float64 {
	label := fmt.Sprintf("%d node", n)
	if n > 1 {
		label += "s"
	}
	fmt.Fprintf(os.Stderr, "%s on one PostgreSQL (%d threads seeded):\n", label, *threads)
	cl := startCluster(ctx, work, bin, n)
	defer cl.stop()
	time.Sleep(time.Second)

	stats0 := dbStats(ctx, cl.db)
	mark := logMark()
	cpu := startCPU(cl.pids())
	lat, took, failed := cl.replies()
	usage := cpu.stop()
	// A backend reports its counts to the statistics at most once a
	// second.
	time.Sleep(1500 * time.Millisecond)
	stats := dbStats(ctx, cl.db).minus(stats0)
	rate := float64(lat.n()) / took.Seconds()
	per := *conns / n
	spread := fmt.Sprintf("%d connections", *conns)
	if n > 1 {
		spread = fmt.Sprintf("%d connections, %d per node", *conns, per)
	}
	name := fmt.Sprintf("%s: HTTP reply posts/s (%s)", label, spread)
	value := perSec(rate)
	if failed != "" {
		value += " (failed: " + failed + ")"
	}
	add(name, value, perSec(c.insertPerSec)+" insert", ratio(rate/c.insertPerSec))
	add(label+": HTTP reply p50 / p99", ms(lat.pct(0.5))+" / "+ms(lat.pct(0.99)), ms(c.insertP99)+" insert p99", times(lat.pct(0.99)/c.insertP99))
	add(label+": CPU during replies (cores)", usage.String("load generator"), "", "")
	if n := float64(lat.n()); n > 0 {
		add(label+": PostgreSQL work during replies, per reply posted", fmt.Sprintf("%.1f transactions (%.2f rolled back), %.1f rows written, %.0f rows scanned",
			float64(stats.commits+stats.rollbacks)/n, float64(stats.rollbacks)/n, float64(stats.written)/n, float64(stats.read)/n),
			"1 transaction, 1 row written", "")
	}
	if races := racesSince(mark); races != "" {
		add(label+": transactions that lost a serializable race during replies (by statement)", races, "", "")
	}

	mark = logMark()
	d, stats := cl.delivery(ctx)
	where := "guest and counsellor on the one node"
	if n > 1 {
		where = "guest on node 1, counsellor on " + others(n)
	}
	ceiling := c.insertP99 + c.notifyP99
	add(fmt.Sprintf("%s: live delivery p50 / p99 (%d chats, %s)", label, *chats, where),
		fmt.Sprintf("%s / %s (%d messages)", ms(d.pct(0.5)), ms(d.pct(0.99)), d.n()),
		fmt.Sprintf("%s insert p99 + NOTIFY p99", ms(ceiling)), times(d.pct(0.99)/ceiling))
	if n := float64(d.n()); n > 0 {
		add(label+": PostgreSQL work during the chats, per message delivered", fmt.Sprintf("%.1f transactions (%.2f rolled back), %.1f rows written",
			float64(stats.commits+stats.rollbacks)/n, float64(stats.rollbacks)/n, float64(stats.written)/n), "1 transaction, 1 row written", "")
	}
	if races := racesSince(mark); races != "" {
		add(label+": transactions that lost a serializable race during the chats (by statement)", races, "", "")
	}
	return rate
}

func others(n int) string {
	var names []string
	for i := 2; i <= n; i++ {
		names = append(names, strconv.Itoa(i))
	}
	if len(names) == 1 {
		return "node " + names[0]
	}
	return "nodes " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// pgStats are a database's counters in pg_stat_database.
type pgStats struct {
	commits, rollbacks, written, read int64
}

func (a pgStats) minus(b pgStats) pgStats {
	return pgStats{a.commits - b.commits, a.rollbacks - b.rollbacks, a.written - b.written, a.read - b.read}
}

func dbStats(ctx context.Context, db string) pgStats {
	conn, err := pgx.Connect(ctx, db)
	check(err)
	defer conn.Close(ctx)
	var s pgStats
	check(conn.QueryRow(ctx, `SELECT xact_commit, xact_rollback, tup_inserted + tup_updated + tup_deleted, tup_returned
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.commits, &s.rollbacks, &s.written, &s.read))
	return s
}
