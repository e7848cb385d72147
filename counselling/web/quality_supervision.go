package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// supervision is the supervisors' page: how the queues stand, the open
// supervision items and the office's ended chats, whose transcripts
// supervisors read. Without JavaScript it is reloaded with its Refresh
// link; with it, the page fetches itself every few seconds and replaces
// the part that changes. Opening it counts as having seen the risk flags.
func (s *Server) supervision(c echo.Context) error {
	caller := s.callerOf(c)
	ctx := c.Request().Context()
	h, err := s.db.QueueHealth(ctx, caller)
	if err != nil {
		return err
	}
	h.Available = len(s.live.avail.Themes(caller.OfficeID))
	if !isHead(c.Request()) {
		if err := s.db.SeeFlags(ctx, caller); err != nil {
			return err
		}
	}
	msg := map[string]string{"closed": "The supervision item is closed; the counsellor sees your note."}[c.QueryParam("done")]
	d := templates.SupervisionData{Health: h, Now: s.cfg.Clock.Now(), Message: msg, EndedPage: 1}
	if c.QueryParam("part") == "health" {
		return s.render(c, http.StatusOK, templates.QueueHealthPart(d))
	}
	// An unreadable page number shows the first page: the list is only a
	// way to the transcripts, and nothing changes.
	if n, err := strconv.Atoi(c.QueryParam("ended")); err == nil && n > 1 && n <= 100_000 {
		d.EndedPage = n
	}
	if d.Ended, d.EndedMore, err = s.db.EndedChats(ctx, caller, d.EndedPage); err != nil {
		return err
	}
	p := s.page(c, "Supervision and queues")
	p.NewFlags = 0
	return s.render(c, http.StatusOK, templates.SupervisionPage(p, d))
}

// newFlags is how many new risk flags a supervisor's pages announce.
func (s *Server) newFlags(c echo.Context, sess *counselling.Session) int {
	caller := counselling.CallerOf(sess)
	if !caller.Supervises() || !sess.FullyAuthenticated() {
		return 0
	}
	n, err := s.db.NewFlags(c.Request().Context(), caller)
	if err != nil {
		s.log.Warn("count new risk flags", "err", err)
		return 0
	}
	return n
}
