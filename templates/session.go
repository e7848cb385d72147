package templates

import (
	"context"
	"strconv"
	"time"
)

// Session is what pages say about the reader's session: how long it lasts
// without activity, when to warn before it ends, and whether the page holds
// text carried over a login after the session had ended.
type Session struct {
	Idle     time.Duration // 0: nobody is logged in, nothing to warn about
	Warn     time.Duration
	Restored bool
}

type sessionKey struct{}

// WithSession gives the pages rendered with ctx what they say about the
// session.
func WithSession(ctx context.Context, s Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionOf(ctx context.Context) Session {
	s, _ := ctx.Value(sessionKey{}).(Session)
	return s
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }

// Carried is one field a login form carries back to the form it came from.
type Carried struct {
	Name, Value string
}
