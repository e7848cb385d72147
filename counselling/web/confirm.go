package web

import (
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// confirmations remembers, for each session, what its next page is to
// confirm: an action redirects to the page it promised (the contract's exact
// address, no query), and that page says what happened in a status message.
// Only a fixed code travels, never text a person wrote; a confirmation not
// shown within a minute (the person went elsewhere, or the office restarted)
// is simply forgotten.
type confirmations struct {
	mu sync.Mutex
	m  map[string]confirmation
}

type confirmation struct {
	path string
	code string
	at   time.Time
}

// confirmationTTL is how long a confirmation waits for its page.
const confirmationTTL = time.Minute

// maxConfirmations bounds the memory confirmations take.
const maxConfirmations = 10_000

func (cs *confirmations) set(session, path, code string, now time.Time) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.m == nil {
		cs.m = map[string]confirmation{}
	}
	if len(cs.m) >= maxConfirmations {
		for k, c := range cs.m {
			if now.Sub(c.at) > confirmationTTL {
				delete(cs.m, k)
			}
		}
		if len(cs.m) >= maxConfirmations {
			return
		}
	}
	cs.m[session] = confirmation{path: path, code: code, at: now}
}

// take returns the session's confirmation for path once, and forgets it.
func (cs *confirmations) take(session, path string, now time.Time) string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.m[session]
	if !ok || c.path != path {
		return ""
	}
	delete(cs.m, session)
	if now.Sub(c.at) > confirmationTTL {
		return ""
	}
	return c.code
}

// confirm records that the page at path, where the action redirects, is to
// confirm code, and returns path.
func (s *Server) confirm(c echo.Context, path, code string) string {
	if sess := sessionOf(c); sess != nil {
		s.confirmed.set(string(sess.TokenHash), path, code, s.cfg.Clock.Now())
	}
	return path
}

// confirmation is the code of what the requested page is to confirm: from
// the query (?done=, for redirects that carry it) or from the session's
// last action.
func (s *Server) confirmation(c echo.Context) string {
	if code := c.QueryParam("done"); code != "" {
		return code
	}
	if sess := sessionOf(c); sess != nil {
		return s.confirmed.take(string(sess.TokenHash), c.Request().URL.Path, s.cfg.Clock.Now())
	}
	return ""
}
