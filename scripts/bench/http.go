package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/scripts/office"
)

// live is the real binary, running, with a counsellor holding four threads.
type live struct {
	o       *office.Office
	cookie  string
	threads []string
	seeker  string // a registered help-seeker's nickname
}

var threadPath = regexp.MustCompile(`^/threads/([a-z2-7]{26})$`)

// startLive builds and starts the binary on a fresh data folder seeded with
// -threads threads, and prepares a counsellor with four threads of their own.
func startLive(work string) *live {
	var tags []string
	if *profile != "" {
		tags = append(tags, "benchprofile")
		check(os.MkdirAll(*profile, 0o755))
		pprofAddr = office.FreeAddr()
		os.Setenv("CONFIDANT_PPROF_ADDR", pprofAddr)
		os.Setenv("CONFIDANT_OFFICE_STDERR", filepath.Join(*profile, "office.log"))
		fmt.Fprintf(os.Stderr, "  profiles into %s (pprof on %s, GC trace in office.log)\n", *profile, pprofAddr)
	}
	bin, err := office.Build(work, tags...)
	check(err)
	data := filepath.Join(work, "data")
	addr := office.FreeAddr()
	base := "http://" + addr
	invite, err := office.Invite(bin, data, base, "counsellor", "Bench Counsellor")
	check(err)
	seed := exec.Command(bin, "seed", "--data", data, "--threads", strconv.Itoa(*threads), "--seekers", "1000")
	seed.Stdout, seed.Stderr = os.Stderr, os.Stderr
	check(seed.Run())
	if *profile != "" {
		os.Setenv("GODEBUG", "gctrace=1")
	}
	o, err := office.Start(bin, data, addr)
	check(err)
	// Only the office traces its collections, not the driver's own children.
	os.Unsetenv("GODEBUG")
	l := &live{o: o, seeker: "Bench Seeker"}
	c := office.NewClient(base)
	if _, err := c.Enrol(invite, "a counsellor's long passphrase"); err != nil {
		o.Kill()
		check(err)
	}
	// Two help-seekers with two enquiries each: an office limits how many
	// enquiries one account may have open (three by default).
	var seekers []*office.Client
	for i, name := range []string{l.seeker, l.seeker + " Two"} {
		s := office.NewClient(base)
		if err := s.Register(name, "a fine long password", ""); err != nil {
			o.Kill()
			check(fmt.Errorf("seeker %d: %w", i, err))
		}
		seekers = append(seekers, s)
	}
	for i := range 4 {
		resp, _, err := seekers[i/2].Post("/threads/new", url.Values{"theme": {"family"}, "body": {"a message to answer"}})
		check(err)
		m := threadPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			o.Kill()
			check(fmt.Errorf("new thread went to %q", resp.Header.Get("Location")))
		}
		if resp, _, err := c.Post("/inbox/"+m[1]+"/take", url.Values{}); err != nil || resp.StatusCode != http.StatusSeeOther {
			o.Kill()
			check(fmt.Errorf("take: %v %v", err, resp))
		}
		l.threads = append(l.threads, m[1])
	}
	l.cookie = c.Cookie()
	return l
}

// rss is the binary's resident set and its peak so far, in MiB.
// rss is the resident set of the office's processes (the binary and its
// password-hashing processes) now and at their peaks, in MiB.
func (l *live) rss() (now, peak float64) {
	for _, pid := range append([]int{l.o.Pid()}, childrenOf(l.o.Pid())...) {
		n, p := procRSS(pid)
		now, peak = now+n, peak+p
	}
	return now, peak
}

func procRSS(pid int) (now, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "VmRSS:" || f[0] == "VmHWM:") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			if f[0] == "VmRSS:" {
				now = kb / 1024
			} else {
				peak = kb / 1024
			}
		}
	}
	return now, peak
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, stat := range stats {
		b, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			kid, _ := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
			kids = append(kids, kid)
		}
	}
	return kids
}

func (l *live) request(ctx context.Context, method, path, body string) *http.Request {
	var req *http.Request
	if body != "" {
		req, _ = http.NewRequestWithContext(ctx, method, l.o.Base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequestWithContext(ctx, method, l.o.Base+path, nil)
	}
	req.Header.Set("Origin", l.o.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Cookie", l.cookie)
	return req
}

// replies posts counsellor replies from four connections, each to its own
// thread, closed loop, for d.
func (l *live) replies(d time.Duration) (*latencies, time.Duration) {
	body := url.Values{"body": {strings.Repeat("A calm and careful answer. ", 40)}}.Encode()
	var n atomic.Int64
	return closedLoop(4, d, func(cl *http.Client) bool {
		id := l.threads[int(n.Add(1))%len(l.threads)]
		resp, err := cl.Do(l.request(context.Background(), http.MethodPost, "/inbox/"+id+"/reply", body))
		if err != nil {
			return false
		}
		drain(resp)
		return resp.StatusCode == http.StatusSeeOther
	})
}

// inbox fetches the counsellor's /inbox from one connection, closed loop.
func (l *live) inbox(d time.Duration) (*latencies, time.Duration) {
	return closedLoop(1, d, func(cl *http.Client) bool {
		resp, err := cl.Do(l.request(context.Background(), http.MethodGet, "/inbox", ""))
		if err != nil {
			return false
		}
		drain(resp)
		return resp.StatusCode == http.StatusOK
	})
}

func runHTTP(work string, c *ceilings) {
	fmt.Fprintf(os.Stderr, "the real binary over HTTP on 127.0.0.1 (%d threads seeded):\n", *threads)
	l := startLive(work)
	defer l.o.Kill()
	time.Sleep(2 * time.Second)
	idle, _ := l.rss()
	add("memory idle (RSS of the binary)", fmt.Sprintf("%.0f MiB", idle), "", "")

	done := profilePhase("replies", *phase)
	lat, el := l.replies(*phase)
	done()
	rate := float64(lat.n()) / el.Seconds()
	add("HTTP reply posts/s (4 connections)", perSec(rate), perSec(c.insertPerSec)+" insert", ratio(rate/c.insertPerSec))
	add("HTTP reply p50 / p99", ms(lat.pct(0.5))+" / "+ms(lat.pct(0.99)), ms(c.insertP99)+" insert p99", times(lat.pct(0.99)/c.insertP99))
	done = profilePhase("inbox", *phase)
	in, _ := l.inbox(*phase)
	done()
	add(fmt.Sprintf("HTTP /inbox p50 / p99 at %d threads", *threads), ms(in.pct(0.5))+" / "+ms(in.pct(0.99)),
		fmt.Sprintf("hello %s / %s", ms(c.helloP50), ms(c.helloP99)), times(in.pct(0.99)/c.helloP99))
	_, peak := l.rss()
	add("memory loaded (peak RSS of the binary)", fmt.Sprintf("%.0f MiB", peak), fmt.Sprintf("%.0f MiB idle", idle), ratio(peak/idle))

	if *floods {
		runFloods(l, c, in.pct(0.99))
	}
}

// runFloods floods the running binary three ways and measures, during each,
// what one counsellor fetching /inbox gets, against its unloaded p99.
func runFloods(l *live, c *ceilings, unloadedP99 float64) {
	fmt.Fprintln(os.Stderr, "floods:")
	_, peak0 := l.rss()

	// Logins at ten times the argon2 ceiling, open loop, each from an
	// address of its own in 127.0.0.0/8 so that the per-client limit does
	// not turn them away before the hasher sees them.
	loginRate := 10 * c.argonPerSec
	ctx, stop := context.WithCancel(context.Background())
	var codes sync.Map
	var sent atomic.Int64
	var fl sync.WaitGroup
	fl.Go(func() {
		form := url.Values{"nickname": {l.seeker}, "password": {"not the password at all"}}.Encode()
		tick := time.NewTicker(time.Duration(float64(time.Second) / loginRate))
		defer tick.Stop()
		var wg sync.WaitGroup
		defer wg.Wait()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			sent.Add(1)
			wg.Go(func() {
				ip := net.IPv4(127, byte(1+i>>16%250), byte(i>>8), byte(i))
				cl := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
					DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}).DialContext}}
				// The attempts already sent run to their answer after
				// the flood stops: only sending ends.
				req, _ := http.NewRequest(http.MethodPost, l.o.Base+"/login", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", l.o.Base)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				resp, err := cl.Do(req)
				code := "error"
				if err == nil {
					drain(resp)
					code = strconv.Itoa(resp.StatusCode)
				}
				v, _ := codes.LoadOrStore(code, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			})
		}
	})
	time.Sleep(time.Second)
	done := profilePhase("login-flood", *phase)
	cpu := startCPU(l.o.Pid())
	in, _ := l.inbox(*phase)
	used := cpu.stop()
	done()
	stop()
	fl.Wait()
	_, peak := l.rss()
	var got []string
	codes.Range(func(k, v any) bool {
		got = append(got, fmt.Sprintf("%s×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	add(fmt.Sprintf("login flood %.0f/s (10× argon2): /inbox p99", loginRate), ms(in.pct(0.99)),
		ms(unloadedP99)+" unloaded", times(in.pct(0.99)/unloadedP99)+" (goal ≤ 2×)")
	add("login flood: answers", fmt.Sprintf("%d sent", sent.Load()), strings.Join(got, " "), "")
	add("login flood: peak RSS", fmt.Sprintf("%.0f MiB", peak), fmt.Sprintf("%.0f MiB before", peak0), ratio(peak/peak0))
	add("login flood: CPU in cores", used.String(), fmt.Sprintf("%d cores", runtime.NumCPU()), "")

	// 1,000 slow clients, each sending its request's headers a byte at a time.
	slow := holdConns(l.o.Addr, 1000, true)
	time.Sleep(time.Second)
	in, _ = l.inbox(*phase)
	closed := slow.stop()
	add("1,000 slowloris clients: /inbox p99", fmt.Sprintf("%s (%d ok, %d slow cut off)", ms(in.pct(0.99)), in.n(), closed),
		ms(unloadedP99)+" unloaded", times(in.pct(0.99)/unloadedP99))

	// 10,000 idle connections that sent nothing yet.
	idle := holdConns(l.o.Addr, 10_000, false)
	time.Sleep(time.Second)
	in, _ = l.inbox(*phase)
	rss, _ := l.rss()
	closed = idle.stop()
	add("10,000 idle connections: /inbox p99", fmt.Sprintf("%s (%d ok, %d cut off)", ms(in.pct(0.99)), in.n(), closed),
		ms(unloadedP99)+" unloaded", times(in.pct(0.99)/unloadedP99))
	add("10,000 idle connections: RSS", fmt.Sprintf("%.0f MiB", rss), fmt.Sprintf("%.0f MiB before", peak0), ratio(rss/peak0))

	idleLiveSockets(l, unloadedP99)
}

// held is a crowd of connections kept open against the office.
type held struct {
	stopped chan struct{}
	wg      sync.WaitGroup
	closed  atomic.Int64
}

// holdConns opens n connections to addr; with slow, each sends a request
// line and then one header byte a second, as a slowloris client does.
func holdConns(addr string, n int, slow bool) *held {
	h := &held{stopped: make(chan struct{})}
	for i := range n {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			fmt.Fprintf(os.Stderr, "  connection %d: %v\n", i, err)
			break
		}
		h.wg.Go(func() {
			defer conn.Close()
			if slow {
				conn.Write([]byte("GET /login HTTP/1.1\r\nHost: " + addr + "\r\n"))
			}
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-h.stopped:
					return
				case <-tick.C:
				}
				if slow {
					if _, err := conn.Write([]byte("X")); err != nil {
						h.closed.Add(1)
						return
					}
				}
			}
		})
	}
	return h
}

func (h *held) stop() int64 {
	close(h.stopped)
	h.wg.Wait()
	return h.closed.Load()
}

// pprofAddr is where a -profile build of the office serves its profiles.
var pprofAddr string

// profilePhase records, while a phase of d runs, the office's CPU profile,
// its blocking and lock-contention profiles and what it allocated, into the
// -profile folder, and returns a function that waits for them.
func profilePhase(name string, d time.Duration) func() {
	if *profile == "" {
		return func() {}
	}
	var wg sync.WaitGroup
	secs := max(1, int(d.Seconds()))
	for _, kind := range []string{"profile", "block", "mutex", "allocs"} {
		wg.Go(func() {
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", pprofAddr, kind, secs))
			if err != nil {
				fmt.Fprintf(os.Stderr, "  %s profile of %s: %v\n", kind, name, err)
				return
			}
			defer resp.Body.Close()
			f, err := os.Create(filepath.Join(*profile, name+"."+kind+".pprof"))
			if err != nil {
				fmt.Fprintf(os.Stderr, "  %s profile of %s: %v\n", kind, name, err)
				return
			}
			defer f.Close()
			io.Copy(f, resp.Body)
		})
	}
	if f, err := os.OpenFile(filepath.Join(*profile, "office.log"), os.O_WRONLY|os.O_APPEND, 0); err == nil {
		fmt.Fprintf(f, "=== phase %s\n", name)
		f.Close()
	}
	return wg.Wait
}

// cpuWatch measures, over a phase, how many cores the office, this driver
// and the whole machine kept busy: a flood's figures mean little if
// something else shared the cores.
type cpuWatch struct {
	pid                            int
	at                             time.Time
	office, hashing, driver, total float64
}

// coresUsed is what a cpuWatch measured.
type coresUsed struct{ office, hashing, driver, machine float64 }

func (u coresUsed) String() string {
	return fmt.Sprintf("office %.2f + its hashing %.2f, driver %.2f, machine %.2f", u.office, u.hashing, u.driver, u.machine)
}

func startCPU(pid int) *cpuWatch {
	return &cpuWatch{pid: pid, at: time.Now(), office: procSeconds(pid), hashing: childSeconds(pid),
		driver: procSeconds(os.Getpid()), total: busySeconds()}
}

func (w *cpuWatch) stop() coresUsed {
	d := time.Since(w.at).Seconds()
	return coresUsed{
		office:  (procSeconds(w.pid) - w.office) / d,
		hashing: (childSeconds(w.pid) - w.hashing) / d,
		driver:  (procSeconds(os.Getpid()) - w.driver) / d,
		machine: (busySeconds() - w.total) / d,
	}
}

// childSeconds is the CPU time the office's running child processes (its
// password-hashing processes) have used.
func childSeconds(pid int) float64 {
	var sum float64
	for _, kid := range childrenOf(pid) {
		sum += procSeconds(kid)
	}
	return sum
}

// ticks is the kernel's clock tick of /proc (USER_HZ, 100 on Linux).
const ticks = 100

// procSeconds is the CPU time (user and system) a process has used.
func procSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: the fields after it are counted
	// from its closing parenthesis (utime and stime are fields 14 and 15).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / ticks
}

// busySeconds is the CPU time all cores of the machine spent not idle.
func busySeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy float64
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		// user, nice, system, irq and softirq; not idle, iowait and
		// steal, nor guest time, which user and nice already hold.
		if i <= 2 || i == 5 || i == 6 {
			busy += n
		}
	}
	return busy / ticks
}
