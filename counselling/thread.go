package counselling

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Thread status.
const (
	StatusOpen     = "open"     // in the office's queue, nobody has taken it
	StatusAssigned = "assigned" // a counsellor has taken it
	StatusClosed   = "closed"
)

// Limits on what is written.
const (
	BodyMaxRunes    = 20_000
	SubjectMaxRunes = 200
	ReasonMaxRunes  = 2_000
)

// Caller is whoever asks: the account behind a session.
type Caller struct {
	AccountID string
	Kind      Kind
	Role      Role
	OfficeID  int64
	Trainee   bool
	// Guest: a help-seeker chatting without an account of their own.
	Guest bool
	// StandsInFor names the absent colleagues whose mail conversations the
	// caller answers as their stand-in now (see StandingInFor): their account
	// ids separated by spaces, one string so that callers stay comparable.
	StandsInFor string
}

// CallerOf returns the caller of a session.
func CallerOf(s *Session) Caller {
	return Caller{AccountID: s.AccountID, Kind: s.Kind, Role: s.Role, OfficeID: s.OfficeID, Trainee: s.Trainee, Guest: s.Guest}
}

// Counsels reports whether the caller answers threads: counsellors and
// supervisors. Admins administer and read no content.
func (c Caller) Counsels() bool {
	return c.Kind == KindStaff && (c.Role == RoleCounsellor || c.Role == RoleSupervisor)
}

// Supervises reports whether the caller is a supervisor.
func (c Caller) Supervises() bool { return c.Kind == KindStaff && c.Role == RoleSupervisor }

// ThreadScope says which threads a caller may read. The store turns it into a SQL
// condition, so a thread outside the scope is never loaded at all.
type ThreadScope struct {
	None bool // nothing at all
	// SeekerID, when set, limits to the threads this help-seeker wrote.
	SeekerID string
	// OfficeID limits staff to their office; AssignedTo to the threads they hold.
	OfficeID   int64
	AssignedTo string
	// HeldUntilChatEnds limits AssignedTo to the held chats that have not
	// ended (mail threads held are not limited): once a chat has ended, its
	// counsellor no longer reads its messages.
	HeldUntilChatEnds bool
	// OrFlagged and OrAwaitingReview widen a supervisor's scope to the office's
	// flagged threads and the threads with a trainee's reply to approve;
	// OrQueued to the office's open threads nobody has taken. Without
	// AssignedTo, they are the whole scope within the office.
	OrFlagged        bool
	OrAwaitingReview bool
	OrQueued         bool
	// OrUnclosed widens it to the office's threads that are not closed,
	// held or queued, which a supervisor reassigns.
	OrUnclosed bool
	// OrRunningChat widens it to the office's running chats, which a
	// supervisor reads along.
	OrRunningChat bool
	// OrEndedChat widens it to the office's ended chats, whose transcripts
	// are kept for supervisors only.
	OrEndedChat bool
	// StandInFor widens it to the mail threads held by these absent
	// colleagues, whose stand-in the caller is for now (account ids
	// separated by spaces, as in Caller.StandsInFor).
	StandInFor string
	// OrSupervised widens it to the office's conversations with an open
	// supervision item, which supervisors read until the item is closed.
	OrSupervised bool
	// Channel, when set, limits to threads of that channel (ChannelMail or
	// ChannelChat): mail actions do not reach chats, nor chat actions mail.
	Channel string
}

// ReadScope is the rule of who reads which thread: help-seekers their own; counsellors the threads they took, and while a
// colleague is away with them as stand-in, that colleague's mail threads; supervisors also the flagged
// threads of their office, those awaiting their approval, those with an
// open supervision item (for as long as it is open: closing the item ends
// it, and each reading is audited) and the office's ended chats (each
// reading of whose transcript is audited); admins none. Threads in the open
// queue are read by taking them. Which of these threads a caller reads the
// messages of is TranscriptScope.
func ReadScope(c Caller) ThreadScope {
	switch {
	case c.Kind == KindSeeker && c.AccountID != "":
		return ThreadScope{SeekerID: c.AccountID}
	case c.Counsels():
		s := ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID, StandInFor: c.StandsInFor}
		if c.Supervises() {
			s.OrFlagged, s.OrAwaitingReview, s.OrSupervised = true, true, true
			s.OrEndedChat = true
		}
		return s
	}
	return ThreadScope{None: true}
}

// TranscriptScope is the rule of who reads a conversation's messages, its
// transcript, on the conversation's page. A mail thread's messages are read
// by whoever reads the thread (ReadScope). A chat's are read by both of its
// sides while it waits or runs; once it has ended, by the help-seeker who
// had it (their own copy) and by the supervisors of its office, and no
// longer by the counsellor who held it: stored copies of chats are kept for
// supervisors only. That counsellor keeps the conversation's record (its
// themes, their notes, their rating, the fact that it happened) without its
// messages. Each reading of an ended chat's transcript by a supervisor is in
// the audit log (MustAuditTranscript).
func TranscriptScope(c Caller) ThreadScope {
	s := ReadScope(c)
	if c.Counsels() {
		s.HeldUntilChatEnds = true
	}
	return s
}

// LiveTranscriptScope is TranscriptScope on a chat's live page and its
// socket, which carry a chat's messages to staff only while it runs: to the
// counsellor who holds it and to supervisors reading it along. An ended
// chat's transcript is read by supervisors on the conversation's page, where
// each reading is audited, so the live page carries none of it to staff. A
// help-seeker reads their own chats live, ended ones too.
func LiveTranscriptScope(c Caller) ThreadScope {
	switch {
	case c.Kind == KindSeeker:
		return ReadScope(c)
	case !c.Counsels() || c.AccountID == "":
		return ThreadScope{None: true}
	}
	return ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID, HeldUntilChatEnds: true,
		OrRunningChat: c.Supervises(), Channel: ChannelChat}
}

// MustAuditTranscript is the rule of which readings of a transcript go into
// the audit log: a supervisor's reading of an ended chat, whoever held it.
func MustAuditTranscript(c Caller, channel, status string) bool {
	return c.Supervises() && channel == ChannelChat && status == ChatEnded
}

// ThreadSummary is a thread as lists show it.
type ThreadSummary struct {
	ID             string
	Channel        string // ChannelMail or ChannelChat
	ThemeSlug      string
	ThemeName      string
	Subject        string
	Status         string
	CreatedAt      time.Time
	LastActivityAt time.Time
	Unread         bool
	Flagged        bool
	AwaitingReview bool
	// DueAt is when the answer to the help-seeker's waiting message is due
	// under the office's promise; zero while nothing waits for an answer.
	DueAt time.Time
}

// Thread is one conversation, decrypted for a caller allowed to read it.
type Thread struct {
	ThreadSummary
	OfficeID     int64
	SeekerID     string
	CounsellorID string
	Counsellor   string // display name
	FlagReason   string
	Themes       []string // theme slugs tagged by counsellors
	Messages     []Message
	Notes        []Note // empty for help-seekers
	// TranscriptWithheld says that the caller reads the conversation but not
	// its messages (TranscriptScope): Messages is empty.
	TranscriptWithheld bool
	Draft              Draft // the caller's saved draft reply, if any
}

// HeldBy reports whether the caller is the thread's counsellor.
func (t *Thread) HeldBy(c Caller) bool {
	return c.Kind == KindStaff && t.CounsellorID != "" && t.CounsellorID == c.AccountID
}

// Message is one message of a thread.
type Message struct {
	ID         string
	FromSeeker bool
	Author     string // counsellor's display name; empty for the help-seeker
	Body       string
	Status     string // MessageSent, MessagePending
	CreatedAt  time.Time
	// Reviewable says that the reader may approve or return this pending
	// reply (see MayReview).
	Reviewable bool
}

// Message status: trainees' replies wait for a supervisor's approval.
const (
	MessageSent    = "sent"
	MessagePending = "pending"
)

// Note is a counsellor's private note on a thread.
type Note struct {
	Author    string
	Body      string
	CreatedAt time.Time
}

// Draft is a reply saved for later, with a supervisor's comment when the reply
// was returned.
type Draft struct {
	Body    string
	Comment string
	SavedAt time.Time
}

// WithReturned is the rule of what a reply sent back for changes does to the
// draft its author may already keep on the thread: nothing either holds is
// lost. The returned reply comes first, then the draft, a blank line between
// them; the supervisor's comments are kept the same way.
func (d Draft) WithReturned(body, comment string) Draft {
	join := func(first, then string) string {
		switch {
		case strings.TrimSpace(then) == "":
			return first
		case strings.TrimSpace(first) == "":
			return then
		}
		return first + "\n\n" + then
	}
	return Draft{Body: join(body, d.Body), Comment: join(comment, d.Comment)}
}

// Enquiry is a help-seeker's first message.
type Enquiry struct {
	Theme   string
	Subject string
	Body    string
}

// Validate checks an enquiry.
func (e *Enquiry) Validate() error {
	p := Problems{}
	if e.Theme == "" {
		p.Add("theme", "Please choose what your message is about.")
	}
	e.Subject = strings.TrimSpace(e.Subject)
	checkText(p, "subject", e.Subject, SubjectMaxRunes, false)
	checkText(p, "body", e.Body, BodyMaxRunes, true)
	return p.Err()
}

// ValidateText checks a message, note or reason typed into field.
func ValidateText(field, text string, maxRunes int) error {
	p := Problems{}
	checkText(p, field, text, maxRunes, true)
	return p.Err()
}

func checkText(p Problems, field, text string, maxRunes int, required bool) {
	switch {
	case !utf8.ValidString(text):
		p.Add(field, "The text contains characters that could not be read. Please type it again.")
	case required && strings.TrimSpace(text) == "":
		p.Add(field, "Please write something first.")
	case utf8.RuneCountInString(text) > maxRunes:
		p.Add(field, "This is too long. Please shorten it; the field says how long it may be.")
	case strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		p.Add(field, "The text contains control characters that are not allowed.")
	}
}

// QueueItem is an enquiry waiting in the office's open queue. Counsellors see
// only its theme and how long it has waited until one of them takes it.
type QueueItem struct {
	ID        string
	ThemeSlug string
	ThemeName string
	CreatedAt time.Time
	DueAt     time.Time // when an answer is due under the office's promise
}

// Inbox is what a counsellor's inbox shows. Next cursors are empty on the last
// page.
type Inbox struct {
	Queue     []QueueItem
	QueueNext string
	Own       []ThreadSummary
	OwnNext   string
	// Supervisors only.
	Flagged []ThreadSummary
	Review  []ThreadSummary
}

// InboxPageSize is how many rows each inbox list shows at once.
const InboxPageSize = 50
