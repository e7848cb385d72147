// Package web serves Confidant over HTTP with echo: routes, middleware, and thin
// handlers that parse a form, call the domain, and render a page or redirect.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"confidant/counselling"
	"confidant/counselling/auth"
	"confidant/counselling/live"
	"confidant/counselling/live/turn"
	"confidant/counselling/passwd"
	"confidant/static"
	"confidant/store"

	"github.com/labstack/echo/v4"
)

// Config is what the web layer needs to know about the installation.
type Config struct {
	BaseURL      string
	TLS          bool
	QuickExitURL string
	MailEnabled  bool
	Sessions     counselling.SessionPolicy
	Clock        counselling.Clock
	Logger       *slog.Logger
	// SendInvite, when set, mails an invite link to a new staff member, in
	// lang (the language of the admin who invites them).
	SendInvite func(ctx context.Context, lang, to, link string) error
	// MailWake, when set, is called after a notification (a mail or a push
	// to devices) was queued.
	MailWake func()
	// PushKey is the office's VAPID public key, which browsers subscribe
	// with; empty: devices cannot opt in to notifications.
	PushKey string
	// LoginsPerMinute bounds login and registration attempts per client.
	LoginsPerMinute int
	// LiveHub carries live chats' frames; nil: within this process.
	LiveHub live.Hub
	// LiveShared keeps the live state every node shares (connections,
	// rings, offered calls, confirmations); nil: in this process's memory.
	LiveShared live.Shared
	// Guesses counts guarded attempts per client; nil: in this process's
	// memory, with a key of its own.
	Guesses GuessCounter
	// HolderGrace is how long a chat waits for its counsellor's lost
	// connection before it goes back to the queue; zero:
	// counselling.HolderGoneGrace.
	HolderGrace time.Duration
	// Relay is the office's own TURN relay for calls; nil: calls are off.
	Relay *turn.Relay
	// ObserveRequest, when set, is told of every answered request: its
	// route pattern (RouteUnmatched for a path no route matched), never the
	// URL, with its method, status and duration.
	ObserveRequest func(route, method string, status int, d time.Duration)
}

// Server is the HTTP side of Confidant.
type Server struct {
	cfg     Config
	db      *store.DB
	auth    *auth.Service
	assets  *static.Assets
	log     *slog.Logger
	echo    *echo.Echo
	limiter *clientLimiter
	cop     *http.CrossOriginProtection
	visits  visits
	live    *liveState
	groups  groupCalls
	reach   *reachState
	// patterns holds every registered route pattern, so that only those
	// name a request in the log and the metrics.
	patterns map[string]bool
	// sockets counts the open WebSocket connections.
	sockets atomic.Int64
	// socketWatch closes sockets whose session has ended.
	socketWatch socketWatch
	// speech caches each office's language settings, read on every request.
	speech speechCache
}

// DefaultQuickExitURL is where the quick-exit link leads unless configured.
const DefaultQuickExitURL = "https://www.wikipedia.org/"

// New wires the server.
func New(cfg Config, db *store.DB, hasher *passwd.Hasher) *Server {
	if cfg.Clock == nil {
		cfg.Clock = counselling.SystemClock{}
	}
	if cfg.QuickExitURL == "" {
		cfg.QuickExitURL = DefaultQuickExitURL
	}
	if cfg.Sessions == (counselling.SessionPolicy{}) {
		cfg.Sessions = counselling.DefaultSessionPolicy
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.LoginsPerMinute == 0 {
		cfg.LoginsPerMinute = 10
	}
	s := &Server{
		cfg:     cfg,
		db:      db,
		auth:    auth.New(db, hasher, cfg.Clock),
		assets:  static.Load(),
		log:     cfg.Logger,
		limiter: newClientLimiter(cfg.Clock, cfg.LoginsPerMinute, time.Minute, cfg.Guesses, cfg.Logger),
		cop:     http.NewCrossOriginProtection(),
		live:    newLiveState(cfg),
	}
	s.reach = &reachState{shared: s.live.shared}
	if cfg.Guesses != nil {
		s.auth.KeepGuessesIn(cfg.Guesses)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = s.handleError
	s.echo = e
	s.routes()
	s.patterns = map[string]bool{}
	for _, r := range e.Routes() {
		s.patterns[r.Path] = true
	}
	return s
}

// ServeHTTP makes the server an http.Handler. HEAD is answered like GET:
// the request is routed and handled as a GET, and only the status and headers
// are sent.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		get := r.Clone(context.WithValue(r.Context(), headKey{}, true))
		get.Method = http.MethodGet
		r, w = get, headWriter{w}
	}
	s.echo.ServeHTTP(w, r)
}

type headKey struct{}

// isHead reports whether r answers a HEAD request.
func isHead(r *http.Request) bool { return r.Context().Value(headKey{}) != nil }

// headWriter drops the body of a response to HEAD.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// LiveConnections is the number of open WebSocket connections: chats, live
// queue tabs and calls.
func (s *Server) LiveConnections() int64 { return s.sockets.Load() }

// availabilityCheckEvery is how often a node applies the rule of
// availability to every counsellor who is available, so that one whose live
// tabs vanished with a node that stopped is switched off in time even when
// nobody asks.
const availabilityCheckEvery = 10 * time.Second

// Run does the web layer's background work until ctx ends: it checks who is
// still available, sweeps the login limiter and writes page-view counts
// every five minutes. Call FlushVisits once more after the server has shut
// down.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	avail := time.NewTicker(availabilityCheckEvery)
	defer avail.Stop()
	minutes := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-avail.C:
			for _, office := range s.live.avail.Notice() {
				s.availabilityChanged(office)
			}
		case <-t.C:
			minutes++
			s.limiter.sweep()
			s.expireCallbacks(ctx)
			if minutes%5 == 0 {
				if err := s.FlushVisits(ctx); err != nil {
					s.log.Error("flush page views", "error", err.Error())
				}
			}
		}
	}
}
