package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// officeZone is the time zone of the caller's office, in which appointment
// slots, group chats and call-back windows are given and shown
// (counselling.ParseOfficeTime), so that what a counsellor types is what
// both sides read.
func (s *Server) officeZone(ctx context.Context, officeID int64) (*time.Location, error) {
	wd, err := s.db.Workday(ctx, officeID)
	if err != nil {
		return nil, err
	}
	return wd.Workweek().Location, nil
}

// slotsPage is the counsellor's page of their appointment slots.
func (s *Server) slotsPage(c echo.Context) error {
	return s.renderSlots(c, http.StatusOK, templates.Form{})
}

func (s *Server) renderSlots(c echo.Context, status int, f templates.Form) error {
	ctx, caller := c.Request().Context(), s.callerOf(c)
	slots, err := s.db.CounsellorSlots(ctx, caller)
	if err != nil {
		return err
	}
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	return s.render(c, status, templates.Slots(s.page(c, "Appointment slots"), templates.SlotsData{
		Slots: slots, Now: s.cfg.Clock.Now(), Form: f, Zone: zone}))
}

// publishSlot stores a free slot of the counsellor's.
func (s *Server) publishSlot(c echo.Context) error {
	ctx, caller := c.Request().Context(), s.callerOf(c)
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return err
	}
	form, err := parseForm(c)
	if err == nil {
		var slot counselling.Slot
		slot, err = counselling.NewSlot(form.Get("start"), form.Get("minutes"), form.Get("kind"), zone, s.cfg.Clock.Now())
		if err == nil {
			_, err = s.db.PublishSlot(ctx, caller, slot)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSlots(c, errorStatus(err), formOf(form, err, "start", "minutes", "kind"))
	}
	return c.Redirect(http.StatusSeeOther, "/live/slots")
}

// bookSlot books a slot for a registered help-seeker. A slot someone else
// has booked answers 409 with the start page of live contact and the reason.
func (s *Server) bookSlot(c echo.Context) error {
	if err := s.db.BookSlot(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return s.slotRefused(c, s.callerOf(c), err)
	}
	return c.Redirect(http.StatusSeeOther, "/live")
}

// requireAppointment lets through those who may take part in appointments:
// registered help-seekers and counsellors. Which appointment is theirs the
// store decides (counselling.SideOf).
func (s *Server) requireAppointment(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := sessionOf(c)
		if sess != nil && sess.Kind == counselling.KindStaff {
			return s.requireCounsellor(next)(c)
		}
		return s.requireSeeker(next)(c)
	}
}

// slotsHome is where an appointment's side goes back to.
func slotsHome(caller counselling.Caller) string {
	if caller.Kind == counselling.KindStaff {
		return "/live/slots"
	}
	return "/live"
}

// cancelSlot cancels an appointment for either side, or withdraws a free
// slot; the other side finds it cancelled on their pages.
func (s *Server) cancelSlot(c echo.Context) error {
	caller := s.callerOf(c)
	if _, err := s.db.CancelSlot(c.Request().Context(), caller, c.Param("id")); err != nil {
		return s.slotRefused(c, caller, err)
	}
	return c.Redirect(http.StatusSeeOther, slotsHome(caller))
}

// openAppointment opens a booked appointment in its time: its chat starts
// held by the counsellor, without the live queue.
func (s *Server) openAppointment(c echo.Context) error {
	caller := s.callerOf(c)
	chatID, err := s.db.OpenAppointment(c.Request().Context(), caller, c.Param("id"))
	if err != nil {
		return s.slotRefused(c, caller, err)
	}
	s.chatChanged(caller.OfficeID, chatID)
	return c.Redirect(http.StatusSeeOther, "/live/"+chatID)
}

// slotRefused shows the caller's page of appointments again with why an
// action was refused.
func (s *Server) slotRefused(c echo.Context, caller counselling.Caller, err error) error {
	if counselling.ErrorCode(err) != counselling.EConflict {
		return err
	}
	f := templates.Form{Message: counselling.ErrorMessage(err)}
	if caller.Kind == counselling.KindStaff {
		return s.renderSlots(c, http.StatusConflict, f)
	}
	// The refusal is shown in the appointments part of /live, which works
	// without JavaScript, unlike the form that starts a chat.
	c.Set(ctxBookingMessage, f.Message)
	return s.renderLive(c, http.StatusConflict, templates.Form{})
}

// slotCalendar gives the counsellor a calendar file of a booked appointment.
// It names nothing but the time, the kind and "Confidant appointment": no
// help-seeker, no theme.
func (s *Server) slotCalendar(c echo.Context) error {
	caller := s.callerOf(c)
	slot, err := s.db.Slot(c.Request().Context(), caller, c.Param("id"))
	if err != nil {
		return err
	}
	if counselling.SideOf(caller, slot) != counselling.SlotOwner || slot.Status() != counselling.SlotBooked {
		return errNotFound
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="confidant-appointment.ics"`)
	return c.String(http.StatusOK, calendarFile(slot, s.cfg.Clock.Now()))
}

// calendarFile writes one appointment as an iCalendar file (RFC 5545).
func calendarFile(slot counselling.Slot, now time.Time) string {
	const stamp = "20060102T150405Z"
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Confidant//Appointments//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:" + slot.ID + "@confidant",
		"DTSTAMP:" + now.UTC().Format(stamp),
		"DTSTART:" + slot.Start.UTC().Format(stamp),
		"DTEND:" + slot.End().UTC().Format(stamp),
		"SUMMARY:Confidant appointment",
		fmt.Sprintf("DESCRIPTION:%s, %d min", slot.Kind, slot.Minutes),
		"END:VEVENT",
		"END:VCALENDAR",
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// ctxBookingMessage carries a refused booking's reason to the page.
const ctxBookingMessage = "booking-message"

// bookingData is what /live shows a registered help-seeker of appointments:
// their own, and the free slots they may book.
func (s *Server) bookingData(c echo.Context) (templates.BookingData, error) {
	if sessionOf(c) == nil {
		return templates.BookingData{}, nil
	}
	caller := s.callerOf(c)
	if !counselling.MayBook(caller) {
		return templates.BookingData{}, nil
	}
	ctx := c.Request().Context()
	mine, err := s.db.SeekerAppointments(ctx, caller)
	if err != nil {
		return templates.BookingData{}, err
	}
	free, err := s.db.BookableSlots(ctx, caller)
	if err != nil {
		return templates.BookingData{}, err
	}
	groups, err := s.db.GroupChats(ctx, caller)
	if err != nil {
		return templates.BookingData{}, err
	}
	zone, err := s.officeZone(ctx, caller.OfficeID)
	if err != nil {
		return templates.BookingData{}, err
	}
	msg, _ := c.Get(ctxBookingMessage).(string)
	return templates.BookingData{Shown: true, Mine: mine, Free: free, Now: s.cfg.Clock.Now(), Message: msg, Groups: groups, Zone: zone}, nil
}
