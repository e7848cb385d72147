package web

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"confidant/static"

	"github.com/labstack/echo/v4"
)

// visits counts page views per day and route pattern in memory: no
// address, no cookie, no user, not even the raw URL. The counts are written to
// the database now and then.
type visits struct {
	mu     sync.Mutex
	counts map[[2]string]int
}

func (v *visits) add(day, route string) {
	v.mu.Lock()
	if v.counts == nil {
		v.counts = map[[2]string]int{}
	}
	v.counts[[2]string{day, route}]++
	v.mu.Unlock()
}

func (v *visits) take() map[[2]string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.counts
	v.counts = nil
	return out
}

// countVisits counts successful page views (GET answered 200 with a page).
func (s *Server) countVisits(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		route := c.Path()
		if err == nil && !isHead(c.Request()) && c.Request().Method == http.MethodGet && c.Response().Status == http.StatusOK &&
			route != "/healthz" && !strings.HasPrefix(route, static.Prefix) && route != "/account/export" {
			s.visits.add(s.cfg.Clock.Now().UTC().Format("2006-01-02"), route)
		}
		return err
	}
}

// FlushVisits writes the counted page views to the database.
func (s *Server) FlushVisits(ctx context.Context) error {
	counts := s.visits.take()
	if len(counts) == 0 {
		return nil
	}
	return s.db.AddPageViews(ctx, counts)
}
