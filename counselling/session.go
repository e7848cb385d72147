package counselling

import "time"

// Session is one login, as stored on the server. The browser holds only a random
// token; the store keeps only its hash.
type Session struct {
	TokenHash    []byte
	AccountID    string
	Kind         Kind
	Role         Role
	OfficeID     int64
	CreatedAt    time.Time
	LastSeenAt   time.Time
	SecondFactor bool // staff: the TOTP code was given
	Trainee      bool
	// TermsOutdated: the help-seeker has not yet accepted the office's
	// current privacy terms.
	TermsOutdated bool
	// Lang is the account's language, "" when none was chosen.
	Lang string
	// Guest: a help-seeker chatting as a guest, without an account of their own.
	Guest bool
}

// SessionPolicy says how long sessions live.
type SessionPolicy struct {
	Idle      time.Duration // help-seekers: since the last request
	StaffIdle time.Duration // staff: since the last request
	Absolute  time.Duration // everyone: since login
}

// DefaultSessionPolicy is 30 minutes idle (15 for staff) and 12 hours in all.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, StaffIdle: 15 * time.Minute, Absolute: 12 * time.Hour}

// Expired reports whether s is no longer valid at now.
func (p SessionPolicy) Expired(s *Session, now time.Time) bool {
	idle := p.IdleFor(s.Kind)
	return !now.Before(s.LastSeenAt.Add(idle)) || !now.Before(s.CreatedAt.Add(p.Absolute))
}

// Cutoffs are the moments before which a session has certainly expired, for
// purging in bulk: last seen before idleBefore (the longer of the two idle
// limits), or created before createdBefore.
func (p SessionPolicy) Cutoffs(now time.Time) (idleBefore, createdBefore time.Time) {
	return now.Add(-max(p.Idle, p.StaffIdle)), now.Add(-p.Absolute)
}

// NeedsTouch reports whether the session's last-seen time is stale enough to be
// written again. Writing at most once a minute keeps page views from turning into
// database writes, at the cost of up to a minute of idle-time precision.
func (p SessionPolicy) NeedsTouch(s *Session, now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= time.Minute
}

// FullyAuthenticated reports whether a session may use its account: help-seekers
// after the password, staff only after the second factor as well.
func (s *Session) FullyAuthenticated() bool {
	return s.Kind != KindStaff || s.SecondFactor
}
