package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"

	"github.com/coder/websocket"
)

// These benchmarks give the live figures in the README. They run against the
// real server on 127.0.0.1 with its store on a real SQLite file
// (synchronous=FULL). Sizes can be changed with
// LIVEBENCH_CONNS (idle sockets, default 10,000), LIVEBENCH_CHATS (chats
// exchanging messages, default 1,000), LIVEBENCH_MESSAGES (messages per chat,
// default 20) and LIVEBENCH_THINK (a writer's mean pause before answering,
// default 1s).

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q is not a positive number", name, v)
	}
	return n
}

// raiseFileLimit lets the process hold n open files (each connection is one
// on each side), as far as the hard limit allows.
func raiseFileLimit(b *testing.B, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		b.Fatalf("the open-files limit is %d at most, %d needed: raise ulimit -Hn", lim.Max, n)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
}

// benchChat is a running chat between a guest and a counsellor.
type benchChat struct {
	id          string
	guestCookie string
	staffCookie string
}

// runningChats starts n guest chats through the store, as POST /live would,
// and has them accepted by a few counsellors, a share each.
func runningChats(b *testing.B, o *office, n, counsellors int) []benchChat {
	b.Helper()
	officeID := o.officeID(counselling.DefaultOfficeSlug)
	staff := make([]*staffMember, counsellors)
	for i := range staff {
		staff[i] = o.enrol(counselling.RoleCounsellor, fmt.Sprintf("Bench Counsellor %d", i))
	}
	chats := make([]benchChat, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	for range 64 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				id, token, err := o.db.StartGuestChat(ctx, officeID, "family", "en")
				if err != nil {
					b.Error(err)
					return
				}
				s := staff[i%len(staff)]
				caller := counselling.Caller{AccountID: s.id, Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: officeID}
				if err := o.db.AcceptChat(ctx, caller, id); err != nil {
					b.Error(err)
					return
				}
				chats[i] = benchChat{id: id, guestCookie: "confidant=" + token, staffCookie: "confidant=" + s.cookie().Value}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return chats
}

// rawSocket opens a chat's WebSocket with a hand-made handshake and hello,
// and keeps nothing but the connection: an idle browser that reads nothing,
// cheap enough that one client process holds ten thousand. It returns once
// the server has answered the hello with the chat's state, so the server's
// reader and writer for it are running.
func rawSocket(addr, origin, path, cookie string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" +
		"\r\nOrigin: " + origin + "\r\nSec-Fetch-Site: same-origin\r\nCookie: " + cookie + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 512), nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("handshake %s: %d", path, resp.StatusCode)
	}
	// A masked text frame (with a zero mask) carrying the hello.
	hello := []byte(`{"type":"hello"}`)
	frame := append([]byte{0x81, 0x80 | byte(len(hello)), 0, 0, 0, 0}, hello...)
	if _, err := conn.Write(frame); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.Read(make([]byte, 1)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("no state after hello: %w", err)
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

// memoryParts is the process's Go heap and stacks (and the stacks apart) and
// its resident set, after collecting and returning freed memory to the system.
func memoryParts() (goBytes, stackBytes, rssBytes uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	data, _ := os.ReadFile("/proc/self/statm")
	fields := strings.Fields(string(data))
	if len(fields) > 1 {
		pages, _ := strconv.ParseUint(fields[1], 10, 64)
		rssBytes = pages * uint64(os.Getpagesize())
	}
	return ms.HeapInuse + ms.StackInuse, ms.StackInuse, rssBytes
}

// BenchmarkIdleLiveConnections opens LIVEBENCH_CONNS (default 10,000) idle
// live sockets against the real server: each running chat has its guest's
// and its counsellor's socket open. The clients run in child processes (this
// test binary again, see TestMain), so that what is measured is the server's
// alone. A first tenth of the sockets is opened before the measurement
// starts, so that what the first connections cost once (the store's pool of
// connections, caches) is not counted; the figures are the growth from
// there to all of them, per connection: Go heap and stacks (KB/conn, of
// which stack-KB/conn are goroutine stacks) and resident set (RSS-KB/conn).
// Goal: at most 30 KB. LIVEBENCH_HEAPPROFILE=file writes a heap profile
// taken while all sockets are open.
func BenchmarkIdleLiveConnections(b *testing.B) {
	n := envInt(b, "LIVEBENCH_CONNS", 10000) &^ 1
	raiseFileLimit(b, uint64(n+1024))
	o := newOffice(b)
	chats := runningChats(b, o, n/2, 10)
	// Counsellors connect first, as they hold the chats, then the guests.
	lines := make([]string, n)
	for i := range n {
		ch := chats[i%len(chats)]
		cookie := ch.guestCookie
		if i < len(chats) {
			cookie = ch.staffCookie
		}
		lines[i] = "/live/" + ch.id + "/ws " + cookie + "\n"
	}
	first := n / 10
	for b.Loop() {
		goroutines := runtime.NumGoroutine()
		stopFirst := openInChild(b, o, strings.Join(lines[:first], ""))
		go0, stack0, rss0 := memoryParts()
		stop := openInChild(b, o, strings.Join(lines[first:], ""))
		time.Sleep(time.Second)
		go1, stack1, rss1 := memoryParts()
		m := float64(n - first)
		b.ReportMetric(float64(go1-go0)/m/1024, "KB/conn")
		b.ReportMetric(float64(stack1-stack0)/m/1024, "stack-KB/conn")
		b.ReportMetric(float64(rss1-rss0)/m/1024, "RSS-KB/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/float64(n), "goroutines/conn")
		if path := os.Getenv("LIVEBENCH_HEAPPROFILE"); path != "" {
			writeHeapProfile(b, path)
		}
		stop()
		stopFirst()
	}
}

// writeHeapProfile writes what the heap holds while the sockets are open,
// for go tool pprof -sample_index=inuse_space.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// openInChild starts this test binary as a client process that opens the
// listed sockets ("path cookie" lines) and holds them until stop is called.
func openInChild(b *testing.B, o *office, list string) (stop func()) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LIVEBENCH_CLIENT_ADDR="+o.srv.Listener.Addr().String(), "LIVEBENCH_CLIENT_ORIGIN="+o.srv.URL)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop = func() {
		stdin.Close()
		cmd.Wait()
	}
	if _, err := io.WriteString(stdin, list+"\n"); err != nil {
		stop()
		b.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "open\n" {
		stop()
		b.Fatalf("client process: %q %v", line, err)
	}
	return stop
}

// holdSockets is the client process of BenchmarkIdleLiveConnections: it
// opens the sockets listed on its input, says "open" and holds them until
// its input ends.
func holdSockets(addr, origin string) int {
	in := bufio.NewScanner(os.Stdin)
	var lines [][2]string
	for in.Scan() && in.Text() != "" {
		path, cookie, _ := strings.Cut(in.Text(), " ")
		lines = append(lines, [2]string{path, cookie})
	}
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = lim.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	conns := make([]net.Conn, len(lines))
	var failed atomic.Value
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(lines); i = int(next.Add(1)) - 1 {
				c, err := rawSocket(addr, origin, lines[i][0], lines[i][1])
				if err != nil {
					failed.Store(err)
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		fmt.Fprintln(os.Stderr, "open sockets:", err)
		return 1
	}
	fmt.Println("open")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func dialChat(o *office, chatID, cookie string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(o.srv.URL, "http") + "/live/" + chatID + "/ws"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: o.srv.Client(),
		HTTPHeader: http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}, "Cookie": {cookie}}})
	if err != nil {
		return nil, fmt.Errorf("dial chat: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	if err := writeJSON(conn, live.Frame{Type: live.TypeHello}); err != nil {
		conn.CloseNow()
		return nil, fmt.Errorf("hello: %w", err)
	}
	return conn, nil
}

func writeJSON(conn *websocket.Conn, f live.Frame) error {
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, data)
}
