package web

import (
	"net/http"
	"strconv"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Blocking misuse and deleting accounts on request. A counsellor blocks the
// help-seeker of a conversation with a reason; supervisors see the office's
// blocks with their reasons, lift them, and delete a help-seeker's account
// when the person asks for it in writing.

func (s *Server) blockSeeker(c echo.Context, caller counselling.Caller, id string, form map[string][]string) (string, error) {
	if err := s.db.BlockSeeker(c.Request().Context(), caller, id, first(form, "block_reason")); err != nil {
		return "", err
	}
	return "/inbox/" + id + "?done=blocked", nil
}

// requireSupervisor narrows requireStaff to supervisors.
func (s *Server) requireSupervisor(next echo.HandlerFunc) echo.HandlerFunc {
	return s.requireStaff(func(c echo.Context) error {
		if !counselling.MayLiftBlock(s.callerOf(c)) {
			return errNotFound
		}
		return next(c)
	})
}

var accountsDone = map[string]string{
	"lifted":  "The block is lifted.",
	"deleted": "The account is deleted, with everything in it. Only anonymous numbers remain.",
}

func (s *Server) renderAccounts(c echo.Context, status int, f templates.Form) error {
	ctx := c.Request().Context()
	caller := s.callerOf(c)
	blocks, err := s.db.Blocks(ctx, caller)
	if err != nil {
		return err
	}
	staff, err := s.db.Staff(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, m := range staff {
		names[m.ID] = m.Name
	}
	for i := range blocks {
		blocks[i].BlockedBy = names[blocks[i].BlockedBy]
	}
	return s.render(c, status, templates.SeekerAccounts(s.page(c, "Help-seekers' accounts"), templates.SeekerAccountsData{
		Blocks: blocks, Form: f, Message: accountsDone[c.QueryParam("done")],
	}))
}

func (s *Server) seekerAccounts(c echo.Context) error {
	return s.renderAccounts(c, http.StatusOK, templates.Form{})
}

func (s *Server) liftBlock(c echo.Context) error {
	if err := s.db.LiftBlock(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/accounts?done=lifted")
}

var errNotConfirmed = counselling.FieldError("confirm", "Please confirm that the person asked for the deletion in writing.")

func (s *Server) deleteOnRequest(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil && form.Get("confirm") == "" {
		err = errNotConfirmed
	}
	if err == nil {
		_, err = s.db.DeleteOnRequest(c.Request().Context(), s.callerOf(c), form.Get("nickname"))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderAccounts(c, errorStatus(err), formOf(form, err, "nickname"))
	}
	return c.Redirect(http.StatusSeeOther, "/inbox/accounts?done=deleted")
}

func (s *Server) saveEnquiryLimit(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		n, convErr := strconv.Atoi(form.Get("open_enquiry_limit"))
		if convErr != nil {
			n = 0
		}
		err = s.db.SetOpenEnquiryLimit(c.Request().Context(), s.callerOf(c), n)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSettings(c, errorStatus(err), templates.AdminSettingsData{Limit: formOf(form, err, "open_enquiry_limit")})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/settings?done=limit")
}
