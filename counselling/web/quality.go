package web

import (
	"net/http"
	"strings"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Ratings and supervision requests: the forms on the conversation pages.

// rate stores the caller's rating of a conversation. A rating that cannot be
// stored (a score outside 1 to 5, a second rating, a conversation not over)
// shows the conversation again with the reason on the rating form, and
// nothing is stored.
func (s *Server) rate(back func(id string) string) echo.HandlerFunc {
	return func(c echo.Context) error {
		caller := s.callerOf(c)
		id := c.Param("id")
		side, ok := counselling.RatingSideOf(caller)
		if !ok {
			return errNotFound
		}
		form, err := parseForm(c)
		if err != nil {
			return err
		}
		r, err := counselling.ParseRating(side, form.Get("score"), form.Get("comment"))
		if err == nil {
			err = s.db.Rate(c.Request().Context(), caller, id, r)
		}
		if err != nil {
			if !showsForm(err) {
				return err
			}
			c.Set(ctxRatingForm, ratingFormOf(form, err))
			if caller.Kind == counselling.KindStaff {
				return s.renderStaffThread(c, errorStatus(err), id, templates.Form{})
			}
			return s.renderSeekerThread(c, errorStatus(err), id, templates.Form{})
		}
		return c.Redirect(http.StatusSeeOther, back(id))
	}
}

// ratingFormOf is the rating form come back with its problem. The comment's
// field is named after its text area, so that the error summary's link
// reaches it.
func ratingFormOf(form map[string][]string, err error) templates.Form {
	f := formOf(form, err, "score")
	f.Values["rating-comment"] = strings.ToValidUTF8(first(form, "comment"), "\uFFFD")
	if msg, ok := f.Errors["comment"]; ok {
		f.Errors = without(f.Errors, "comment")
		f.Errors["rating-comment"] = msg
	}
	return f
}

func (s *Server) requestSupervision(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.RequestSupervision(c.Request().Context(), caller, id, first(form, "reason")); err != nil {
		return "", err
	}
	return s.confirm(c, "/inbox/"+id, "supervision"), nil
}

func (s *Server) closeSupervision(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	return "/supervision?done=closed", s.db.CloseSupervision(c.Request().Context(), caller, id, first(form, "note"))
}

func init() {
	flashes["supervision"] = "A supervisor of this office will look at this conversation."
}

// ratingPanel is the rating form or the caller's own rating of a
// conversation, for its page.
func (s *Server) ratingPanel(c echo.Context, caller counselling.Caller, id, status, counsellorID string) (templates.RatingPanel, error) {
	side, ok := counselling.RatingSideOf(caller)
	if !ok || (caller.Kind == counselling.KindStaff && caller.AccountID != counsellorID) || caller.Guest {
		return templates.RatingPanel{}, nil
	}
	p := templates.RatingPanel{Show: counselling.Rateable(status, counsellorID), Staff: caller.Kind == counselling.KindStaff,
		Action: "/threads/" + id + "/rating"}
	if f, ok := c.Get(ctxRatingForm).(templates.Form); ok {
		p.Form = f
	}
	if p.Staff {
		p.Action = "/inbox/" + id + "/rating"
	}
	ratings, err := s.db.ThreadRatings(c.Request().Context(), caller, id)
	if err != nil {
		return p, err
	}
	for i := range ratings {
		if ratings[i].Side == side {
			p.Own = &ratings[i]
		}
	}
	return p, nil
}

// qualityPanel is the ratings and supervision part of a staff conversation
// page.
func (s *Server) qualityPanel(c echo.Context, caller counselling.Caller, t *counselling.Thread, f templates.Form) (templates.QualityPanel, error) {
	ctx := c.Request().Context()
	q := templates.QualityPanel{ThreadID: t.ID, Form: f}
	var err error
	if q.Rating, err = s.ratingPanel(c, caller, t.ID, t.Status, t.CounsellorID); err != nil {
		return q, err
	}
	// The list shows the ratings the domain lets the reader see
	// (counselling.RatingsVisible), but their own, which the rating panel
	// shows.
	ratings, err := s.db.ThreadRatings(ctx, caller, t.ID)
	if err != nil {
		return q, err
	}
	for _, r := range ratings {
		if q.Rating.Own == nil || r.Side != q.Rating.Own.Side {
			q.Ratings = append(q.Ratings, r)
		}
	}
	if q.Items, err = s.db.ThreadSupervision(ctx, caller, t.ID); err != nil {
		return q, err
	}
	open := false
	for _, it := range q.Items {
		open = open || it.Open()
	}
	q.MayRequest = t.HeldBy(caller) && !open
	q.MayClose = open && counselling.MayCloseSupervision(caller, t.OfficeID, t.CounsellorID)
	return q, nil
}
