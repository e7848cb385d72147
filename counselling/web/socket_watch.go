package web

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// A live socket is checked against its session only when it opens, so a
// socket alone would outlive a logout, a disabled account or a deleted one:
// a disabled counsellor could keep writing in a chat, a logged-out tab keep
// ringing. The watch closes every socket whose session is gone, within
// socketCheckEvery, on whichever node the session ended.

// socketCheckEvery is how often the sockets' sessions are checked.
const socketCheckEvery = 5 * time.Second

type socketWatch struct {
	mu      sync.Mutex
	conns   map[*websocket.Conn]watched
	running bool
}

type watched struct {
	raw       *countedConn // closed once the socket is over
	tokenHash []byte
}

// watchSocket closes conn once the session of tokenHash has ended; the
// watch forgets conn once raw, its connection, is closed.
func (s *Server) watchSocket(conn *websocket.Conn, raw *countedConn, tokenHash []byte) {
	w := &s.socketWatch
	w.mu.Lock()
	if w.conns == nil {
		w.conns = map[*websocket.Conn]watched{}
	}
	w.conns[conn] = watched{raw: raw, tokenHash: tokenHash}
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go s.checkSockets()
	}
}

// checkSockets runs while sockets are watched.
func (s *Server) checkSockets() {
	w := &s.socketWatch
	t := time.NewTicker(socketCheckEvery)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.conns) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		hashes := make([][]byte, 0, len(w.conns))
		conns := make([]*websocket.Conn, 0, len(w.conns))
		for c, x := range w.conns {
			if x.raw.closed.Load() {
				delete(w.conns, c)
				continue
			}
			conns, hashes = append(conns, c), append(hashes, x.tokenHash)
		}
		w.mu.Unlock()
		if len(conns) == 0 {
			continue
		}
		alive, err := s.db.AliveSessions(context.Background(), hashes)
		if err != nil {
			s.log.Error("check live sockets' sessions", "error", err.Error())
			continue
		}
		for i, c := range conns {
			if !alive[string(hashes[i])] {
				// A close waits for the browser's answer: never one after another.
				go c.Close(websocket.StatusPolicyViolation, "session ended")
				w.mu.Lock()
				delete(w.conns, c)
				w.mu.Unlock()
			}
		}
	}
}
