package web_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"confidant/counselling/live"

	"github.com/coder/websocket"
)

// BenchmarkChatDelivery runs LIVEBENCH_CHATS (default 1,000) chats at once,
// a guest and a counsellor in each taking turns, LIVEBENCH_MESSAGES (default
// 20) messages per chat. A message is acknowledged and passed on only once
// it is durably stored; the figure is the time from the sender's write to
// the other side's receipt. Each writer pauses before answering, on average
// LIVEBENCH_THINK (default 1s, uniformly between none and twice that);
// "think=0s" answers at once, so every chat always has a message in flight.
// The clients run in this process and share its cores with the server;
// CPU-% is both together, ack-p99-ms the time from a write to its sender's
// acknowledgement (stored). Goal: p99 at most 50 ms.
func BenchmarkChatDelivery(b *testing.B) {
	n := envInt(b, "LIVEBENCH_CHATS", 1000)
	perChat := envInt(b, "LIVEBENCH_MESSAGES", 20)
	think := time.Second
	if v := os.Getenv("LIVEBENCH_THINK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("LIVEBENCH_THINK=%q: %v", v, err)
		}
		think = d
	}
	raiseFileLimit(b, uint64(4*n+256))
	o := newOffice(b)
	chats := runningChats(b, o, n, 20)
	for _, th := range []time.Duration{think, 0} {
		b.Run("think="+th.String(), func(b *testing.B) {
			for b.Loop() {
				deliver(b, o, chats, perChat, th)
			}
		})
	}
}

// deliver connects both sides of every chat, lets them exchange perChat
// messages in turns and reports the delivery times.
func deliver(b *testing.B, o *office, chats []benchChat, perChat int, think time.Duration) {
	round := strconv.FormatInt(time.Now().UnixNano(), 10) + "-"
	body := strings.Repeat("How are you feeling about it now? ", 3)
	type pair struct{ seeker, staff *websocket.Conn }
	pairs := make([]pair, len(chats))
	var dialWG sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		dialWG.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(chats); i = int(next.Add(1)) - 1 {
				seeker, err := dialChat(o, chats[i].id, chats[i].guestCookie)
				if err != nil {
					b.Error(err)
					return
				}
				staff, err := dialChat(o, chats[i].id, chats[i].staffCookie)
				if err != nil {
					seeker.CloseNow()
					b.Error(err)
					return
				}
				pairs[i] = pair{seeker: seeker, staff: staff}
			}
		})
	}
	dialWG.Wait()
	if b.Failed() {
		for _, p := range pairs {
			if p.seeker != nil {
				p.seeker.CloseNow()
				p.staff.CloseNow()
			}
		}
		b.FailNow()
	}
	pause := func() time.Duration {
		if think == 0 {
			return 0
		}
		return rand.N(2 * think)
	}
	var lat, acks latencies
	var wg sync.WaitGroup
	cpu0, start := processCPU(), time.Now()
	for i, p := range pairs {
		var mu sync.Mutex
		sent := map[string]time.Time{}
		var finished atomic.Bool
		send := func(conn *websocket.Conn, k int) {
			id := round + strconv.Itoa(k)
			mu.Lock()
			sent[id] = time.Now()
			mu.Unlock()
			if err := writeJSON(conn, live.Frame{Type: live.TypeSend, ID: id, Body: body}); err != nil {
				b.Errorf("chat %d: send: %v", i, err)
			}
		}
		// Each side reads and answers each message of the other side with
		// the next one; the side that receives the chat's last message ends
		// the chat. The other side reads on until its socket is closed.
		side := func(conn *websocket.Conn, me string) {
			for {
				_, data, err := conn.Read(context.Background())
				if err != nil {
					if !finished.Load() {
						b.Errorf("chat %d: read: %v", i, err)
						finished.Store(true)
						wg.Done()
					}
					return
				}
				var f live.Frame
				if err := json.Unmarshal(data, &f); err != nil {
					b.Errorf("chat %d: frame %q", i, data)
					continue
				}
				if f.Type == live.TypeError {
					b.Errorf("chat %d: %s", i, f.Body)
				}
				if f.Type == live.TypeAck {
					mu.Lock()
					at, ok := sent[f.ID]
					mu.Unlock()
					if ok {
						acks.add(time.Since(at))
					}
					continue
				}
				if f.Type != live.TypeMessage || f.From == me || !strings.HasPrefix(f.ID, round) {
					continue
				}
				now := time.Now()
				mu.Lock()
				at, ok := sent[f.ID]
				mu.Unlock()
				if !ok {
					b.Errorf("chat %d: message %s was never sent", i, f.ID)
					continue
				}
				lat.add(now.Sub(at))
				k, _ := strconv.Atoi(strings.TrimPrefix(f.ID, round))
				if k+1 >= perChat {
					if !finished.Swap(true) {
						wg.Done()
					}
					return
				}
				time.AfterFunc(pause(), func() { send(conn, k+1) })
			}
		}
		wg.Add(1)
		go side(p.seeker, live.FromSeeker)
		go side(p.staff, live.FromCounsellor)
		time.AfterFunc(pause(), func() { send(p.seeker, 0) })
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	for _, p := range pairs {
		p.seeker.CloseNow()
		p.staff.CloseNow()
	}
	if got := len(lat.d); got != len(chats)*perChat {
		b.Fatalf("%d messages arrived, want %d", got, len(chats)*perChat)
	}
	slices.Sort(lat.d)
	slices.Sort(acks.d)
	pct := func(d []time.Duration, p float64) float64 {
		return float64(d[min(len(d)-1, int(float64(len(d))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat.d, 0.50), "p50-ms")
	b.ReportMetric(pct(lat.d, 0.99), "p99-ms")
	b.ReportMetric(pct(lat.d, 1), "max-ms")
	b.ReportMetric(pct(acks.d, 0.99), "ack-p99-ms")
	b.ReportMetric(float64(len(lat.d))/elapsed.Seconds(), "messages/s")
	b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "CPU-%")
}

// processCPU is the CPU time the process (server and clients) has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
