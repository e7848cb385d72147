package counselling

import (
	"strconv"
	"strings"
	"time"
)

// Appointments: a counsellor publishes free slots (a start in office time, a
// length, chat or video); a registered help-seeker books one; either side
// may cancel, and the other is told. From a little before the booked time
// until its end either side opens the appointment, which starts the chat
// with the counsellor directly, bypassing the live queue.

// Slot kinds.
const (
	SlotChat  = "chat"
	SlotVideo = "video"
)

// Slot bounds.
const (
	SlotMinMinutes = 15
	SlotMaxMinutes = 120
	// SlotMaxAhead is how far ahead a slot may be published.
	SlotMaxAhead = 180 * 24 * time.Hour
	// SlotOpensBefore is how long before the booked time an appointment
	// may be opened, so that neither side waits for the other's clock.
	SlotOpensBefore = 5 * time.Minute
	// SlotStartLayout is how a slot's start is written in forms, in office
	// time: YYYY-MM-DDTHH:MM.
	SlotStartLayout = "2006-01-02T15:04"
)

// Slot states, as both sides' pages show them.
const (
	SlotFree      = "free"
	SlotBooked    = "booked"
	SlotCancelled = "cancelled"
)

// Who cancelled an appointment.
const (
	ByCounsellor = "counsellor"
	BySeeker     = "seeker"
)

// Slot is a counsellor's appointment slot.
type Slot struct {
	ID           string
	OfficeID     int64
	CounsellorID string
	Counsellor   string // display name, for the help-seeker's pages
	Start        time.Time
	Minutes      int
	Kind         string
	// Booked: a help-seeker holds it. SeekerID is theirs; it is never shown
	// to anyone but that help-seeker.
	Booked      bool
	BookedAt    time.Time
	SeekerID    string
	CancelledAt time.Time
	CancelledBy string
	ChatID      string // the chat the appointment opened, once opened
}

// End is when the slot ends.
func (s Slot) End() time.Time { return s.Start.Add(time.Duration(s.Minutes) * time.Minute) }

// Status is where the slot stands: free, booked or cancelled.
func (s Slot) Status() string {
	switch {
	case !s.CancelledAt.IsZero():
		return SlotCancelled
	case s.Booked:
		return SlotBooked
	}
	return SlotFree
}

// Channel is the statistics channel of the appointment's contact.
func (s Slot) Channel() string {
	if s.Kind == SlotVideo {
		return ChannelVideo
	}
	return ChannelChat
}

// NewSlot reads a slot a counsellor publishes: start in office time (loc,
// by ParseOfficeTime), its length in minutes, and its kind. The slot must
// lie in the future and within SlotMaxAhead, and last SlotMinMinutes to
// SlotMaxMinutes.
func NewSlot(start, minutes, kind string, loc *time.Location, now time.Time) (Slot, error) {
	p := Problems{}
	var s Slot
	at, err := ParseOfficeTime(start, loc)
	switch {
	case err == ErrOfficeTimeFormat:
		p.Add("start", "Please give the start as date and time, like 2026-12-01T14:30.")
	case err != nil:
		p.Add("start", ErrorMessage(err))
	case !at.After(now):
		p.Add("start", "The start must lie in the future.")
	case at.Sub(now) > SlotMaxAhead:
		p.Add("start", "Slots can be published at most 180 days ahead.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(minutes))
	if err != nil || n < SlotMinMinutes || n > SlotMaxMinutes {
		p.Add("minutes", "An appointment lasts from 15 to 120 minutes.")
	}
	if kind != SlotChat && kind != SlotVideo {
		p.Add("kind", "Please choose chat or video.")
	}
	if err := p.Err(); err != nil {
		return Slot{}, err
	}
	s.Start, s.Minutes, s.Kind = at.UTC(), n, kind
	return s, nil
}

// ErrSlotOverlap refuses a slot that overlaps another of the same
// counsellor's.
var ErrSlotOverlap = FieldError("start", "This slot overlaps another of your slots.")

// SlotsOverlap is the rule that one counsellor's slots must not overlap: two
// slots overlap when each starts before the other ends. A cancelled slot no
// longer takes up its time.
func SlotsOverlap(a, b Slot) bool {
	if !a.CancelledAt.IsZero() || !b.CancelledAt.IsZero() {
		return false
	}
	return a.Start.Before(b.End()) && b.Start.Before(a.End())
}

// ErrSlotTaken refuses a booking of a slot someone else has booked.
var ErrSlotTaken = Errorf(EConflict, "Sorry, someone else has just booked this appointment. Please choose another one.")

// ErrSlotYours refuses booking again a slot the help-seeker has booked.
var ErrSlotYours = Errorf(EConflict, "You have already booked this appointment.")

// ErrSlotGone refuses a booking of a slot that was cancelled or has begun.
var ErrSlotGone = Errorf(EConflict, "This appointment is no longer available. Please choose another one.")

// MayBook is the rule of who books appointments: registered help-seekers,
// since they must come back at the booked time; guests do not.
func MayBook(c Caller) bool { return MayUseAccountPages(c) }

// Bookable reports whether a slot can be booked now: free, not cancelled,
// and not yet begun.
func Bookable(s Slot, now time.Time) bool {
	return s.Status() == SlotFree && now.Before(s.Start)
}

// SlotSide is how a caller takes part in an appointment.
type SlotSide int

const (
	SlotNobody SlotSide = iota
	// SlotOwner is the counsellor who published the slot.
	SlotOwner
	// SlotBooker is the help-seeker who booked it.
	SlotBooker
)

// SideOf is the rule of who takes part in an appointment: the counsellor who
// published it and the registered help-seeker who booked it. Nobody else
// sees it, supervisors included: it is the two people's appointment.
func SideOf(c Caller, s Slot) SlotSide {
	switch {
	case c.AccountID == "":
		return SlotNobody
	case c.Counsels() && c.AccountID == s.CounsellorID && c.OfficeID == s.OfficeID:
		return SlotOwner
	case MayBook(c) && s.Booked && c.AccountID == s.SeekerID:
		return SlotBooker
	}
	return SlotNobody
}

// ErrNotCancellable refuses a cancellation of an appointment that has
// already been cancelled or has ended.
var ErrNotCancellable = Errorf(EConflict, "This appointment can no longer be cancelled.")

// MayCancel is the rule of cancelling: either side, until the appointment
// ends, and only once. The counsellor may also withdraw a free slot.
func MayCancel(side SlotSide, s Slot, now time.Time) bool {
	if side == SlotNobody || !s.CancelledAt.IsZero() || !now.Before(s.End()) {
		return false
	}
	return side == SlotOwner || s.Booked
}

// CancelledOnDisable is the rule of what becomes of a counsellor's
// appointments when they are disabled: each one that has not begun is
// cancelled from the counsellor's side, so that nobody books, or waits for,
// someone who can no longer come; a help-seeker who booked it is told as
// when a counsellor cancels. One that has begun runs on as its chat.
func CancelledOnDisable(s Slot, now time.Time) bool {
	return s.CancelledAt.IsZero() && now.Before(s.Start)
}

// ErrNotOpenYet refuses to open an appointment outside its time.
var ErrNotOpenYet = Errorf(EConflict, "This appointment can be opened from 5 minutes before it begins until it ends.")

// MayOpen is the rule of when an appointment opens its chat: for either
// side of a booked, uncancelled appointment, from SlotOpensBefore before
// the booked time until its end.
func MayOpen(side SlotSide, s Slot, now time.Time) bool {
	if side == SlotNobody || s.Status() != SlotBooked {
		return false
	}
	return !now.Before(s.Start.Add(-SlotOpensBefore)) && now.Before(s.End())
}

// CallOpensDirectly is the rule of when a chat's video call starts by itself
// for both sides, without one offering it and the other accepting: in a chat
// that a video appointment opened, while the chat runs and until the
// appointment ends. The help-seeker chose the call when they booked a video
// appointment and opened it. Either side may hang up and go on writing; the
// counsellor may then offer the call again, as in any chat.
func CallOpensDirectly(ch LiveChat, now time.Time) bool {
	return ch.AppointmentKind == SlotVideo && ch.Status == ChatRunning && now.Before(ch.AppointmentEnds)
}

// ExportAppointment is one appointment a help-seeker booked, in their
// export. Times are moments (UTC); Status is SlotBooked or SlotCancelled,
// and CancelledBy ByCounsellor or BySeeker.
type ExportAppointment struct {
	Counsellor  string     `json:"counsellor"`
	Start       time.Time  `json:"start"`
	Minutes     int        `json:"minutes"`
	Kind        string     `json:"kind"`
	BookedAt    time.Time  `json:"booked_at"`
	Status      string     `json:"status"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	CancelledBy string     `json:"cancelled_by,omitempty"`
}

// ExportAppointmentOf is how an export writes a booked appointment.
func ExportAppointmentOf(s Slot) ExportAppointment {
	e := ExportAppointment{Counsellor: s.Counsellor, Start: s.Start, Minutes: s.Minutes, Kind: s.Kind, BookedAt: s.BookedAt,
		Status: s.Status()}
	if !s.CancelledAt.IsZero() {
		at := s.CancelledAt
		e.CancelledAt, e.CancelledBy = &at, s.CancelledBy
	}
	return e
}
