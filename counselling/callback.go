package counselling

import (
	"strings"
	"time"
)

// Reaching out keeps a contact going when "now" does not fit. A help-seeker
// asks the counsellor they are in contact with to call back, and the
// counsellor rings them when free; and a registered help-seeker may allow the
// counsellors they have spoken with to invite them again while they are
// online. Both open a chat (or a chat with a video call offered) between
// exactly those two people, bypassing the live queue.

// Kinds of call-back and invitation: what opens when the help-seeker accepts.
const (
	ReachChat  = "chat"
	ReachVideo = "video"
)

// Call-back expiry: an office keeps a request open this long unless its
// admins choose otherwise, within these bounds.
const (
	DefaultCallbackExpiryHours = 24
	MaxCallbackExpiryHours     = 7 * 24
)

// CallbackRequest is a help-seeker's open or expired request that a
// counsellor call them back.
type CallbackRequest struct {
	ID           string
	OfficeID     int64
	SeekerID     string
	Seeker       string // the help-seeker's nickname, for the counsellor's queue
	CounsellorID string
	Counsellor   string // the counsellor's display name, for the help-seeker
	ThemeID      int64
	ThemeName    string
	Kind         string
	// WindowFrom and WindowTo are the time of day the help-seeker asked to
	// be called in, today; both zero when any time suits them.
	WindowFrom, WindowTo time.Time
	CreatedAt, ExpiresAt time.Time
	Expired              bool
}

// ContactLink is one of a help-seeker's conversations as the rules of
// reaching out see it: who holds or held it, how, and on which theme.
type ContactLink struct {
	CounsellorID string
	Channel      string
	Status       string
	ThemeID      int64
	CreatedAt    time.Time
}

// Refusals of reaching out. Each says what the reader can do, never anything
// about another person.
var (
	ErrCallbackOtherOffice = FieldError("counsellor",
		"You can only ask a counsellor of this office to call you back.")
	ErrCallbackNotInContact = FieldError("counsellor",
		"You can only ask a counsellor you are in contact with to call you back.")
	ErrCallbackOpen = Errorf(EConflict,
		"You have already asked this counsellor to call you back. You can withdraw that request below.")
	ErrCallbackKind = FieldError("kind", "Please choose chat or video.")
	ErrCallbackWin  = FieldError("window_from",
		"Please give a time window later today (from and until, as hours and minutes), or leave both empty.")
	ErrCallbackGone = Errorf(EConflict,
		"This call-back request is no longer open: it was answered, withdrawn or has expired.")
	ErrInviteNoConsent = Errorf(EForbidden,
		"This person has not allowed counsellors to contact them. Nothing was sent.")
	ErrInviteNoTheme = Errorf(EForbidden,
		"This person shares no theme you counsel. Nothing was sent.")
	ErrReachOffline = Errorf(EConflict,
		"This person is not online now.")
)

// ValidateReachKind checks the kind of a call-back or invitation.
func ValidateReachKind(kind string) error {
	if kind != ReachChat && kind != ReachVideo {
		return ErrCallbackKind
	}
	return nil
}

// ParseCallbackWindow reads the optional time window today in which the
// help-seeker asks to be called, as "HH:MM" from and until on the clock of
// the office's time zone (loc), on the office's day that contains now (by
// OfficeDayAt). Both empty means any time. The window must end after it
// starts, and after now.
func ParseCallbackWindow(from, until string, now time.Time, loc *time.Location) (start, end time.Time, err error) {
	from, until = strings.TrimSpace(from), strings.TrimSpace(until)
	if from == "" && until == "" {
		return time.Time{}, time.Time{}, nil
	}
	start, err1 := OfficeDayAt(from, now, loc)
	end, err2 := OfficeDayAt(until, now, loc)
	for _, err := range []error{err1, err2} {
		if err == ErrOfficeTimeSkipped || err == ErrOfficeTimeTwice {
			return time.Time{}, time.Time{}, FieldError("window_from", ErrorMessage(err))
		}
	}
	if err1 != nil || err2 != nil || !end.After(start) || !end.After(now) {
		return time.Time{}, time.Time{}, ErrCallbackWin
	}
	return start, end, nil
}

// InContact is the rule of whom a help-seeker may ask to call back: the
// counsellor who holds one of their conversations that is not closed, or
// with whom they have chatted.
func InContact(links []ContactLink, counsellorID string) bool {
	if counsellorID == "" {
		return false
	}
	for _, l := range links {
		if l.CounsellorID != counsellorID {
			continue
		}
		if l.Status != StatusClosed || l.Channel == ChannelChat {
			return true
		}
	}
	return false
}

// SpokenWith reports whether the counsellor held one of the help-seeker's
// conversations, now or before: the counsellors a consent to be contacted
// again covers.
func SpokenWith(links []ContactLink, counsellorID string) bool {
	for _, l := range links {
		if counsellorID != "" && l.CounsellorID == counsellorID {
			return true
		}
	}
	return false
}

// MayRequestCallback is the rule of who may ask whom to call back: a
// registered help-seeker (never a guest, who has no pages to be told on)
// asks a counsellor or supervisor of their own office, not disabled, and
// with whom they are in contact, and has at most one open request per
// counsellor (open: whether they already have one).
func MayRequestCallback(seeker Caller, target *StaffMember, links []ContactLink, open bool) error {
	if !MayUseAccountPages(seeker) {
		return ErrGuestOnlyChats
	}
	if target == nil {
		return ErrCallbackNotInContact
	}
	if target.OfficeID != seeker.OfficeID {
		return ErrCallbackOtherOffice
	}
	if target.Role != RoleCounsellor && target.Role != RoleSupervisor || target.Disabled {
		return ErrCallbackNotInContact
	}
	if !InContact(links, target.ID) {
		return ErrCallbackNotInContact
	}
	if open {
		return ErrCallbackOpen
	}
	return nil
}

// CallbackExpiry is when a request made at created expires under an office's
// setting of hours (the default when unset or out of bounds).
func CallbackExpiry(created time.Time, hours int) time.Time {
	if hours < 1 || hours > MaxCallbackExpiryHours {
		hours = DefaultCallbackExpiryHours
	}
	return created.Add(time.Duration(hours) * time.Hour)
}

// AuditCallbackExpiry is the audit detail of a change to the office's
// call-back expiry.
const AuditCallbackExpiry = "call-back requests expire after {{.Hours}} hours"

// ValidateCallbackExpiryHours checks an office's call-back expiry setting.
func ValidateCallbackExpiryHours(hours int) error {
	if hours < 1 || hours > MaxCallbackExpiryHours {
		return FieldError("callback_expiry_hours", "Please give a number of hours from 1 to 168.")
	}
	return nil
}

// CallbackExpired is the rule of when a request stops waiting: at its expiry
// time, whether or not anyone has marked it yet.
func CallbackExpired(r CallbackRequest, now time.Time) bool {
	return !now.Before(r.ExpiresAt)
}

// MayCallBack is the rule of who answers a call-back request: only the
// counsellor it was made to, of its office, while it is open.
func MayCallBack(c Caller, r CallbackRequest, now time.Time) bool {
	return c.Counsels() && c.AccountID != "" && r.CounsellorID == c.AccountID && r.OfficeID == c.OfficeID &&
		!r.Expired && !CallbackExpired(r, now)
}

// LatestTheme is the theme of the most recent conversation the help-seeker
// had with the counsellor (zero when none): what a call-back chat is about.
func LatestTheme(links []ContactLink, counsellorID string) int64 {
	var theme int64
	var at time.Time
	for _, l := range links {
		if l.CounsellorID == counsellorID && (theme == 0 || l.CreatedAt.After(at)) {
			theme, at = l.ThemeID, l.CreatedAt
		}
	}
	return theme
}

// ReachChannel is the channel the anonymous statistics count a chat opened by
// a call-back or an invitation under.
func ReachChannel(kind string) string {
	if kind == ReachVideo {
		return ChannelVideo
	}
	return ChannelChat
}

// ExportReach is what an export holds of reaching out: the consent to be
// contacted again (nil: none) and the call-back requests, open or expired.
type ExportReach struct {
	ContactConsent *ExportContactConsent `json:"contact_consent"`
	Callbacks      []ExportCallback      `json:"callback_requests"`
}

// ExportContactConsent is the consent to be contacted again in an export.
type ExportContactConsent struct {
	Version int       `json:"version"`
	GivenAt time.Time `json:"given_at"`
}

// ExportCallback is one call-back request in an export.
type ExportCallback struct {
	Counsellor string     `json:"counsellor"`
	Kind       string     `json:"kind"`
	WindowFrom *time.Time `json:"window_from,omitempty"`
	WindowTo   *time.Time `json:"window_to,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Expired    bool       `json:"expired"`
}

// ContactConsentVersion is the version of the text a help-seeker agrees to
// when they allow counsellors to contact them again. A new text is a new
// version, and only consent to the current one counts.
const ContactConsentVersion = 1

// ContactConsent is a help-seeker's consent to be contacted again: the
// version agreed to (zero: none) and when.
type ContactConsent struct {
	Version int
	GivenAt time.Time
}

// Given reports whether the consent covers the current text.
func (c ContactConsent) Given() bool { return c.Version == ContactConsentVersion }

// OutreachCandidate is a help-seeker as the rules of out-bound contact see
// them: their office, consent and conversations.
type OutreachCandidate struct {
	SeekerID string
	OfficeID int64
	Nickname string
	Guest    bool
	Consent  ContactConsent
	Links    []ContactLink
}

// MaySeeOnline is the rule of which counsellor may learn that a help-seeker
// is online to invite them: only one of their own office they have spoken
// with, and only while they allow counsellors to contact them again. Without
// that consent no listing and no answer may depend on whether they are
// online.
func MaySeeOnline(c Caller, p OutreachCandidate) bool {
	return c.Counsels() && c.AccountID != "" && !p.Guest && p.OfficeID == c.OfficeID &&
		p.Consent.Given() && SpokenWith(p.Links, c.AccountID)
}

// SharedTheme is a theme of the help-seeker's conversations that the
// counsellor counsels, the most recent one first; ok is false when they
// share none.
func SharedTheme(p OutreachCandidate, mine CounselledThemes) (theme int64, ok bool) {
	var at time.Time
	for _, l := range p.Links {
		if mine.Covers(l.ThemeID) && (!ok || l.CreatedAt.After(at)) {
			theme, at, ok = l.ThemeID, l.CreatedAt, true
		}
	}
	return theme, ok
}

// MayInvite is the rule of whom a counsellor may invite to a chat or call:
// a help-seeker they may see online (MaySeeOnline: consent, same office,
// spoken with) who shares a theme the counsellor counsels. It returns the
// theme the chat opens on.
func MayInvite(c Caller, p OutreachCandidate, mine CounselledThemes) (int64, error) {
	if !MaySeeOnline(c, p) {
		return 0, ErrInviteNoConsent
	}
	theme, ok := SharedTheme(p, mine)
	if !ok {
		return 0, ErrInviteNoTheme
	}
	return theme, nil
}
