// Command bench is `make bench`: it measures this machine's ceilings (a raw
// SQLite single-commit insert and point select with the store's pragmas, a
// net/http hello over loopback, argon2id hashes with the office's
// parameters), then Confidant's figures (the Go benchmarks of the web and
// store packages, and the real binary driven over real HTTP on 127.0.0.1),
// all in the same run, and prints each figure next to its ceiling as a
// ratio. With -floods it also floods the real binary with logins, slow
// clients, idle connections and idle live sockets and measures what the
// others still get.
//
// The machine is usually shared: the load average is printed with every
// section, so that a figure can be read with the noise it was taken in.
package main

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"confidant/counselling/passwd"
	"confidant/counselling/passwd/argon2"

	_ "github.com/mattn/go-sqlite3"
)

var (
	quick    = flag.Bool("quick", false, "tiny sizes and short phases: checks that the driver works, measures nothing worth keeping")
	phase    = flag.Duration("phase", 10*time.Second, "how long each ceiling and each HTTP phase runs")
	goBench  = flag.Bool("go", true, "run the Go benchmarks of the web and store packages (the long part)")
	httpRun  = flag.Bool("http", true, "drive the real binary over HTTP on 127.0.0.1")
	floods   = flag.Bool("floods", false, "flood the real binary: logins at ten times the argon2 ceiling, 1,000 slow clients, 10,000 idle connections, 10,000 idle live sockets")
	threads  = flag.Int("threads", 100_000, "threads seeded into the real binary's office before /inbox is measured")
	benchRun = flag.String("bench", ".", "only the Go benchmarks matching this expression")
	profile  = flag.String("profile", "", "record the real binary's CPU, blocking and lock profiles of each HTTP phase, and its GC trace, into this folder")
)

// table is the report: every row a figure, its ceiling and their ratio.
type row struct {
	name, value, ceiling, ratio, load string
}

var rows []row

func add(name, value, ceiling, ratio string) {
	rows = append(rows, row{name, value, ceiling, ratio, loadavg()})
	fmt.Fprintf(os.Stderr, "  %-44s %-18s %-22s %s\n", name, value, ceiling, ratio)
}

func main() {
	flag.Parse()
	raiseFileLimit()
	if *quick {
		*phase = time.Second
		*threads = 200
	}
	started := time.Now()
	fmt.Fprintf(os.Stderr, "bench: %s, %d cores, load %s\n", hostDesc(), runtime.NumCPU(), loadavg())

	work, err := os.MkdirTemp("", "confidant-bench-")
	check(err)
	defer os.RemoveAll(work)

	c := measureCeilings(work)
	if *goBench && !*quick {
		runGoBenchmarks(work, c)
	}
	if *httpRun || *floods {
		runHTTP(work, c)
	}

	fmt.Printf("\nConfidant bench, %s, %s, %d cores (GOMAXPROCS %d), %s, took %s\n",
		started.UTC().Format("2006-01-02 15:04 MST"), hostDesc(), runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.Version(), time.Since(started).Round(time.Second))
	fmt.Printf("| %s | %s | %s | %s | %s |\n", "figure", "value", "ceiling", "ratio", "load avg (1/5/15 min)")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", r.name, r.value, r.ceiling, r.ratio, r.load)
	}
}

// ceilings are what this machine does without Confidant.
type ceilings struct {
	insertPerSec, insertP99 float64 // single-commit inserts, ms
	selectPerSec, selectP99 float64
	helloPerSec, helloP50   float64
	helloP99                float64
	argonPerSec             float64
}

func measureCeilings(work string) *ceilings {
	fmt.Fprintln(os.Stderr, "ceilings:")
	c := &ceilings{}
	c.insertPerSec, c.insertP99, c.selectPerSec, c.selectP99 = sqliteCeiling(filepath.Join(work, "raw.db"))
	add("ceiling: SQLite single-commit insert", perSec(c.insertPerSec), "p99 "+ms(c.insertP99), "1")
	add("ceiling: SQLite point select", perSec(c.selectPerSec), "p99 "+ms(c.selectP99), "1")
	c.helloPerSec, c.helloP50, c.helloP99 = helloCeiling()
	add("ceiling: net/http hello (4 connections)", perSec(c.helloPerSec), fmt.Sprintf("p50 %s p99 %s", ms(c.helloP50), ms(c.helloP99)), "1")
	c.argonPerSec = argonCeiling()
	p := passwd.DefaultParams
	add(fmt.Sprintf("ceiling: argon2id m=%d MiB t=%d p=%d", p.Memory/1024, p.Time, p.Threads), perSec(c.argonPerSec), "", "1")
	return c
}

// sqliteCeiling inserts one 1 KiB row per transaction, from four writers as
// the reply benchmark has, with the pragmas the store uses (WAL,
// synchronous=FULL, secure_delete), then selects rows by key.
func sqliteCeiling(path string) (insPerSec, insP99, selPerSec, selP99 float64) {
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_secure_delete=on&_busy_timeout=5000&_foreign_keys=on"
	db, err := sql.Open("sqlite3", dsn)
	check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, body BLOB NOT NULL)`)
	check(err)
	body := make([]byte, 1024)
	var lat latencies
	deadline := time.Now().Add(*phase)
	start := time.Now()
	for time.Now().Before(deadline) {
		t0 := time.Now()
		tx, err := db.Begin()
		check(err)
		_, err = tx.Exec(`INSERT INTO t (thread, body) VALUES (?, ?)`, rand.IntN(1000), body)
		check(err)
		check(tx.Commit())
		lat.add(time.Since(t0))
	}
	insPerSec = float64(lat.n()) / time.Since(start).Seconds()
	insP99 = lat.pct(0.99)
	n := lat.n()

	rdb, err := sql.Open("sqlite3", dsn+"&mode=ro")
	check(err)
	defer rdb.Close()
	var sel latencies
	deadline = time.Now().Add(*phase)
	start = time.Now()
	var got []byte
	for time.Now().Before(deadline) {
		t0 := time.Now()
		check(rdb.QueryRow(`SELECT body FROM t WHERE id = ?`, 1+rand.IntN(n)).Scan(&got))
		sel.add(time.Since(t0))
	}
	return insPerSec, insP99, float64(sel.n()) / time.Since(start).Seconds(), sel.pct(0.99)
}

// helloCeiling is net/http answering "hello" to four keep-alive connections
// over loopback, closed loop, as the HTTP phase drives the office.
func helloCeiling() (perSec, p50, p99 float64) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	lat, elapsed := closedLoop(4, *phase, func(cl *http.Client) bool {
		resp, err := cl.Get(srv.URL)
		if err != nil {
			return false
		}
		drain(resp)
		return resp.StatusCode == 200
	})
	return float64(lat.n()) / elapsed.Seconds(), lat.pct(0.5), lat.pct(0.99)
}

// argonCeiling hashes with the office's parameters on every core at once,
// with argon2 itself: the office's hasher runs below the office's priority,
// which would make its rate on a busy machine no ceiling.
func argonCeiling() float64 {
	p := passwd.DefaultParams
	var n atomic.Int64
	deadline := time.Now().Add(*phase)
	start := time.Now()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var m argon2.Memory
			salt := make([]byte, p.SaltLen)
			for time.Now().Before(deadline) {
				m.IDKey([]byte("a fine long password"), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// runGoBenchmarks builds the web and store test binaries once and runs each
// benchmark on its own, so that one's seeding does not share a heap with the
// next.
func runGoBenchmarks(work string, c *ceilings) {
	fmt.Fprintln(os.Stderr, "Go benchmarks (in process):")
	webTest := filepath.Join(work, "web.test")
	storeTest := filepath.Join(work, "store.test")
	for pkg, out := range map[string]string{"./counselling/web": webTest, "./store": storeTest} {
		cmd := exec.Command("go", "test", "-c", "-o", out, pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		check(cmd.Run())
	}
	want := regexp.MustCompile(*benchRun)
	run := func(bin, name, benchtime string, env ...string) map[string]map[string]float64 {
		if !want.MatchString(name) {
			return nil
		}
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", "^"+name+"$", "-test.benchtime", benchtime, "-test.benchmem")
		cmd.Dir = filepath.Dir(bin)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n%s", name, err, out)
			return nil
		}
		return parseBench(string(out))
	}
	get := func(res map[string]map[string]float64, name, unit string) (float64, bool) {
		for n, m := range res {
			if strings.HasPrefix(n, name) {
				v, ok := m[unit]
				return v, ok
			}
		}
		return 0, false
	}

	if res := run(webTest, "BenchmarkCounsellorReply", "3s"); res != nil {
		rate, _ := get(res, "BenchmarkCounsellorReply", "req/s")
		p99, _ := get(res, "BenchmarkCounsellorReply", "p99-ms")
		add("reply posts/s (in process, 4 writers)", perSec(rate), perSec(c.insertPerSec)+" insert", ratio(rate/c.insertPerSec))
		add("reply p99 (in process)", ms(p99), ms(c.insertP99)+" insert p99", times(p99/c.insertP99))
	}
	if res := run(webTest, "BenchmarkInbox100k", "3s"); res != nil {
		p50, _ := get(res, "BenchmarkInbox100k", "p50-ms")
		p99, _ := get(res, "BenchmarkInbox100k", "p99-ms")
		add("/inbox p50 at 100,000 threads (in process)", ms(p50), ms(c.helloP50)+" hello p50", times(p50/c.helloP50))
		add("/inbox p99 at 100,000 threads (in process)", ms(p99), ms(c.helloP99)+" hello p99", times(p99/c.helloP99))
	}
	if res := run(webTest, "BenchmarkLogin", "5s"); res != nil {
		rate, _ := get(res, "BenchmarkLogin", "logins/s")
		add("logins/s", perSec(rate), perSec(c.argonPerSec)+" argon2id", ratio(rate/c.argonPerSec))
	}
	if res := run(webTest, "BenchmarkFiftyConcurrentLogins", "3x"); res != nil {
		peak, _ := get(res, "BenchmarkFiftyConcurrentLogins", "peak-heap-MiB")
		busy, _ := get(res, "BenchmarkFiftyConcurrentLogins", "busy-per-50")
		slots := passwd.DefaultSlots(runtime.GOMAXPROCS(0))
		add("peak heap with 50 logins at once", fmt.Sprintf("%.0f MiB", peak), fmt.Sprintf("%d slots × 19 MiB", slots),
			ratio(peak/float64(19*slots))+fmt.Sprintf(" (%.0f of 50 told busy)", busy))
	}
	if res := run(webTest, "BenchmarkYearReportMillionFacts", "5x"); res != nil {
		p95, _ := get(res, "BenchmarkYearReportMillionFacts", "p95-ms")
		// A point select reads one row; the report reads a million facts.
		perRow := 1000 / c.selectPerSec
		add("year report p95 at 1,000,000 facts", ms(p95), fmt.Sprintf("%s per point select", ms(perRow)),
			fmt.Sprintf("%.0f point selects' time", p95/perRow))
	}
	if res := run(storeTest, "BenchmarkPurgeMillionMessages", "1x"); res != nil {
		nsop, _ := get(res, "BenchmarkPurgeMillionMessages", "ns/op")
		lock, _ := get(res, "BenchmarkPurgeMillionMessages", "longest-lock-ms")
		secs := nsop / 1e9
		add("purge of 1,000,000 messages", fmt.Sprintf("%.1f s (%s messages)", secs, perSec(1e6/secs)),
			perSec(c.insertPerSec)+" insert", ratio(1e6/secs/c.insertPerSec)+" messages per commit")
		add("purge's longest write lock", ms(lock), ms(c.insertP99)+" insert p99", times(lock/c.insertP99))
	}
	if res := run(webTest, "BenchmarkChatDelivery", "1x"); res != nil {
		for _, sub := range []string{"think=1s", "think=0s"} {
			p99, ok := get(res, "BenchmarkChatDelivery/"+sub, "p99-ms")
			if ok {
				add("live delivery p99, 1,000 chats, "+sub, ms(p99), ms(c.insertP99)+" insert p99", times(p99/c.insertP99))
			}
		}
	}
	if res := run(webTest, "BenchmarkIdleLiveConnections", "1x"); res != nil {
		kb, _ := get(res, "BenchmarkIdleLiveConnections", "KB/conn")
		rss, _ := get(res, "BenchmarkIdleLiveConnections", "RSS-KB/conn")
		add("10,000 idle live connections: heap per connection", fmt.Sprintf("%.1f KB", kb), "30 KB goal", ratio(kb/30))
		add("10,000 idle live connections: RSS per connection", fmt.Sprintf("%.1f KB", rss), "30 KB goal", ratio(rss/30))
	}
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// parseBench reads `go test -bench` output into name → unit → value.
func parseBench(out string) map[string]map[string]float64 {
	res := map[string]map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		vals := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				vals[f[i+1]] = v
			}
		}
		res[m[1]] = vals
	}
	return res
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

// closedLoop runs conns clients, each sending its next request when the last
// is answered, for d, on keep-alive connections of their own.
func closedLoop(conns int, d time.Duration, do func(*http.Client) bool) (*latencies, time.Duration) {
	var lat latencies
	var failed atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if do(cl) {
					lat.add(time.Since(t0))
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		fmt.Fprintf(os.Stderr, "  (%d requests failed)\n", f)
	}
	return &lat, time.Since(start)
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
func ratio(v float64) string  { return fmt.Sprintf("%.2f", v) }
func times(v float64) string  { return fmt.Sprintf("%.1f×", v) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
