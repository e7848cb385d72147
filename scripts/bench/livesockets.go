package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/scripts/office"

	"github.com/coder/websocket"
)

// idleSocketsWanted is how many idle live sockets the flood holds open.
const idleSocketsWanted = 10_000

// idleSocketSeekers is how many help-seekers hold them: each has many pages
// open, as a browser with many tabs would, from an address of its own.
const idleSocketSeekers = 10

// idleLiveSockets holds idleSocketsWanted live sockets open and idle against
// the running binary, real WebSocket handshakes through the office's routes,
// while one counsellor fetches /inbox, and reports that p99 against the
// unloaded one and the binary's memory. The sockets are the ones every page
// of a signed-in help-seeker keeps open (/live/ring/ws, which hears a
// counsellor's call); the office sets no limit of sockets per session or per
// client, so a few help-seekers hold them all, and neither the counsellor's
// queue nor their inbox grows.
func idleLiveSockets(l *live, unloadedP99 float64) {
	rss0, _ := l.rss()
	ctx, cancel := context.WithCancel(context.Background())
	h := &liveCrowd{ctx: ctx, cancel: cancel}
	started := time.Now()
	for i := range idleSocketSeekers {
		// Each help-seeker registers from its own address in 127.0.0.0/8,
		// so that the per-client limit on registrations lets them all in.
		dialer := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 77, byte(1+i))}}
		c := office.NewClient(l.o.Base)
		c.HTTP.Transport = &http.Transport{DialContext: dialer.DialContext}
		if err := c.Register(fmt.Sprintf("Idle Tabs %d", i), "a fine long password", ""); err != nil {
			fmt.Fprintf(os.Stderr, "  idle live sockets: help-seeker %d: %v\n", i, err)
			break
		}
		h.open(l.o.Base, c.Cookie(), dialer, idleSocketsWanted/idleSocketSeekers)
	}
	opened := h.opened.Load()
	took := time.Since(started)
	time.Sleep(time.Second)
	in, _ := l.inbox(*phase)
	rss, _ := l.rss()
	closed := h.stop()
	label := fmt.Sprintf("%s idle live sockets", thousands(idleSocketsWanted))
	add(label+": /inbox p99", fmt.Sprintf("%s (%d ok; %d sockets open in %s, %d cut off)",
		ms(in.pct(0.99)), in.n(), opened, took.Round(100*time.Millisecond), closed),
		ms(unloadedP99)+" unloaded", times(in.pct(0.99)/unloadedP99))
	add(label+": RSS", fmt.Sprintf("%.0f MiB", rss), fmt.Sprintf("%.0f MiB before", rss0), ratio(rss/rss0))
}

// liveCrowd is a crowd of live sockets kept open and idle.
type liveCrowd struct {
	ctx    context.Context // ends when the crowd stops
	cancel context.CancelFunc
	wg     sync.WaitGroup
	opened atomic.Int64
	closed atomic.Int64
}

// open opens n sockets with the session cookie, dialled from dialer's
// address, 50 handshakes at a time, each read (and so answered to pings)
// until the crowd stops.
func (h *liveCrowd) open(base, cookie string, dialer *net.Dialer, n int) {
	ws := "ws" + strings.TrimPrefix(base, "http") + "/live/ring/ws"
	header := http.Header{"Cookie": {cookie}, "Origin": {base}, "Sec-Fetch-Site": {"same-origin"}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	gate := make(chan struct{}, 50)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range n {
		gate <- struct{}{}
		wg.Go(func() {
			defer func() { <-gate }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			conn, resp, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPClient: client, HTTPHeader: header})
			cancel()
			if err != nil {
				if failed.Add(1) == 1 {
					code := 0
					if resp != nil {
						code = resp.StatusCode
					}
					fmt.Fprintf(os.Stderr, "  idle live socket refused (%d): %v\n", code, err)
				}
				return
			}
			h.opened.Add(1)
			h.wg.Go(func() {
				defer conn.CloseNow()
				for {
					if _, _, err := conn.Read(h.ctx); err != nil {
						if h.ctx.Err() == nil {
							h.closed.Add(1)
						}
						return
					}
				}
			})
		})
	}
	wg.Wait()
}

// stop closes the crowd's sockets and returns how many the office cut off
// before.
func (h *liveCrowd) stop() int64 {
	h.cancel()
	h.wg.Wait()
	return h.closed.Load()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
