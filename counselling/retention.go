package counselling

import "time"

// RetentionRules are an office's rules for how long data lives. Each purge
// deletes only live data; the anonymous statistics facts are kept.
type RetentionRules struct {
	// MailMonths: mail threads are deleted this many months after their last
	// message.
	MailMonths int
	// WipeMailYearEnd: all mail threads are wiped on 31 December.
	WipeMailYearEnd bool
	// InactiveAccountMonths: help-seeker accounts unused this long are deleted,
	// with a neutral warning mail InactivityWarning before where an email is known.
	InactiveAccountMonths int
	// ChatTranscriptMonths: live-chat transcripts are deleted after this long.
	ChatTranscriptMonths int
}

// DefaultRetention follows the reference services: mail kept 12 months after
// the last message, inactive profiles deleted after 2 years, chat transcripts
// kept 6 months.
var DefaultRetention = RetentionRules{MailMonths: 12, InactiveAccountMonths: 24, ChatTranscriptMonths: 6}

// InactivityWarning is how long before deletion an inactive help-seeker is
// warned.
const InactivityWarning = 14 * 24 * time.Hour

// Validate checks the rules an admin sets.
func (r RetentionRules) Validate() error {
	p := Problems{}
	if r.MailMonths < 1 || r.MailMonths > 120 {
		p.Add("retain_mail_months", "Mail must be kept between 1 and 120 months.")
	}
	if r.InactiveAccountMonths < 1 || r.InactiveAccountMonths > 120 {
		p.Add("inactive_account_months", "Inactive accounts must be kept between 1 and 120 months.")
	}
	if r.ChatTranscriptMonths < 1 || r.ChatTranscriptMonths > 120 {
		p.Add("chat_transcript_months", "Chat transcripts must be kept between 1 and 120 months.")
	}
	return p.Err()
}

// MailCutoff is the moment before which a thread's last message makes it
// expire. With the year-end wipe, everything from before this year expires
// too, and on 31 December everything does.
func (r RetentionRules) MailCutoff(now time.Time) time.Time {
	cutoff := now.AddDate(0, -r.MailMonths, 0)
	if r.WipeMailYearEnd {
		now = now.UTC()
		yearStart := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		if now.Month() == time.December && now.Day() == 31 {
			yearStart = now.Add(time.Second)
		}
		if yearStart.After(cutoff) {
			cutoff = yearStart
		}
	}
	return cutoff
}

// InactiveCutoff is the moment before which a help-seeker's last activity
// makes the account expire.
func (r RetentionRules) InactiveCutoff(now time.Time) time.Time {
	return now.AddDate(0, -r.InactiveAccountMonths, 0)
}

// WarnCutoff is the moment before which a help-seeker's last activity earns
// the warning mail.
func (r RetentionRules) WarnCutoff(now time.Time) time.Time {
	return r.InactiveCutoff(now).Add(InactivityWarning)
}

// ChatCutoff is the moment before which a chat transcript expires.
func (r RetentionRules) ChatCutoff(now time.Time) time.Time {
	return now.AddDate(0, -r.ChatTranscriptMonths, 0)
}

// Purge rule names, as purge reports and logs them.
const (
	RuleMailThreads     = "mail-threads"
	RuleInactiveWarned  = "inactive-accounts-warned"
	RuleInactiveDeleted = "inactive-accounts-deleted"
	RuleChatTranscripts = "chat-transcripts"
	RuleInvites         = "expired-invites"
	RuleSessions        = "expired-sessions"
	RuleOutbox          = "sent-notifications"
)

// PurgeCount is what one rule deleted (or, in a dry run, would delete).
type PurgeCount struct {
	Rule  string
	Count int64
}
