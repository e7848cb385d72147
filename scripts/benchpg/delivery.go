package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"confidant/counselling/live"
	"confidant/scripts/office"

	"github.com/coder/websocket"
)

// delivery runs -chats live chats for -phase, each guest on the first node
// and each counsellor on another (with one node, the same), the two sides
// answering each other's messages in turns after a pause of about -think,
// and returns how long each message took from its sending on one node to
// its arrival on the other, and what PostgreSQL did meanwhile.
func (cl *cluster) delivery(ctx context.Context) (*latencies, pgStats) {
	n := len(cl.nodes)
	home := func(j int) *office.Office {
		if n == 1 {
			return cl.nodes[0]
		}
		return cl.nodes[1+j%(n-1)]
	}
	counsellor := func(j int) *office.Client { return cl.staff[j%len(cl.staff)] }
	for j := range min(*chats, len(cl.staff)) {
		resp, _, err := counsellor(j).Do(context.Background(), http.MethodPost, home(j).Base, "/live/availability", url.Values{"available": {"1"}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			check(fmt.Errorf("availability: %v %v", err, resp))
		}
	}

	type pair struct{ guest, staff *websocket.Conn }
	pairs := make([]pair, *chats)
	for j := range pairs {
		guest := office.NewClient(cl.nodes[0].Base)
		resp, page, err := guest.Post("/live", url.Values{"theme": {"family"}})
		check(err)
		m := chatPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			check(fmt.Errorf("starting a chat led to %d %q: %.300s", resp.StatusCode, resp.Header.Get("Location"), page))
		}
		resp, _, err = counsellor(j).Do(context.Background(), http.MethodPost, home(j).Base, "/live/"+m[1]+"/accept", url.Values{})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			check(fmt.Errorf("accept: %v %v", err, resp))
		}
		pairs[j] = pair{guest: dialChat(guest, cl.nodes[0].Base, m[1]), staff: dialChat(counsellor(j), home(j).Base, m[1])}
	}
	defer func() {
		for _, p := range pairs {
			p.guest.CloseNow()
			p.staff.CloseNow()
		}
	}()

	body := strings.Repeat("How are you feeling about it now? ", 3)
	pause := func() time.Duration {
		if *think == 0 {
			return 0
		}
		return rand.N(2 * *think)
	}
	var lat latencies
	var errs atomic.Int64
	var wg sync.WaitGroup
	stats0 := dbStats(ctx, cl.db)
	deadline := time.Now().Add(*phase)
	for j, p := range pairs {
		prefix := fmt.Sprintf("c%d-", j)
		var mu sync.Mutex
		sent := map[string]time.Time{}
		var next atomic.Int64
		var finished atomic.Bool
		finish := func() {
			if !finished.Swap(true) {
				wg.Done()
			}
		}
		send := func(conn *websocket.Conn) {
			id := prefix + strconv.FormatInt(next.Add(1), 10)
			mu.Lock()
			sent[id] = time.Now()
			mu.Unlock()
			if err := writeFrame(conn, live.Frame{Type: live.TypeSend, ID: id, Body: body}); err != nil {
				errs.Add(1)
				finish()
			}
		}
		// Each side answers every message of the other's; the chat ends
		// with the first message to arrive after the deadline.
		side := func(conn *websocket.Conn, me string) {
			for {
				_, data, err := conn.Read(context.Background())
				if err != nil {
					finish()
					return
				}
				var f live.Frame
				if json.Unmarshal(data, &f) != nil {
					continue
				}
				if f.Type == live.TypeError {
					errs.Add(1)
					fmt.Fprintf(os.Stderr, "  chat %d: %s\n", j, f.Body)
				}
				if f.Type != live.TypeMessage || f.From == me || !strings.HasPrefix(f.ID, prefix) {
					continue
				}
				mu.Lock()
				at, ok := sent[f.ID]
				delete(sent, f.ID)
				mu.Unlock()
				if !ok {
					continue
				}
				lat.add(time.Since(at))
				if time.Now().After(deadline) {
					finish()
					continue
				}
				time.AfterFunc(pause(), func() { send(conn) })
			}
		}
		wg.Add(1)
		go side(p.guest, live.FromSeeker)
		go side(p.staff, live.FromCounsellor)
		time.AfterFunc(pause(), func() { send(p.guest) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(*phase + 30*time.Second):
		fmt.Fprintln(os.Stderr, "  some chats' last message did not arrive within 30 s of the phase's end")
		errs.Add(1)
	}
	if e := errs.Load(); e > 0 {
		fmt.Fprintf(os.Stderr, "  (%d errors in the chats)\n", e)
	}
	time.Sleep(1500 * time.Millisecond)
	return &lat, dbStats(ctx, cl.db).minus(stats0)
}

// dialChat opens a chat's socket on the node at base as the client's
// browser would, and says hello.
func dialChat(c *office.Client, base, chatID string) *websocket.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(base, "http") + "/live/" + chatID + "/ws"
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.HTTP,
		HTTPHeader: http.Header{"Origin": {base}, "Sec-Fetch-Site": {"same-origin"}}})
	if err != nil {
		check(fmt.Errorf("dial %s: %w", base, err))
	}
	check(writeFrame(conn, live.Frame{Type: live.TypeHello}))
	return conn
}

func writeFrame(conn *websocket.Conn, f live.Frame) error {
	data, _ := json.Marshal(f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, data)
}
