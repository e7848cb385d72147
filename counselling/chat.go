package counselling

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Live chat is a conversation like a mail thread, of channel ChannelChat: the
// same messages sealed under the help-seeker's data key, the same notes,
// themes, risk flag and handover, and the same rule of who reads it
// (ReadScope). What differs is how it starts and ends: a chat waits in the
// office's live queue until a counsellor accepts it (ActAccept, first wins),
// its two sides write to each other live (ActChat), and either side ends it.

// Chat limits.
const (
	// ChatBodyMaxRunes bounds one chat message; a chat is a conversation of
	// short turns, and a frame is refused before it is read when it could
	// hold more (ChatFrameMaxBytes).
	ChatBodyMaxRunes = 4_000
	// ChatFrameMaxBytes bounds one WebSocket frame: a message of
	// ChatBodyMaxRunes four-byte characters, JSON-escaped, with its envelope.
	ChatFrameMaxBytes = 32 << 10
	// ClientIDMaxLen bounds the number a browser gives its message.
	ClientIDMaxLen = 64
)

// ChatStatus is where a chat stands, as both of its pages show it.
const (
	ChatWaiting = StatusOpen     // in the live queue
	ChatRunning = StatusAssigned // a counsellor accepted it
	ChatEnded   = StatusClosed
)

// ChatMessage is one message of a chat as its two sides see it live: seq
// numbers a chat's messages in the order they were stored, and ClientID is the
// number the sender's browser gave it, so that a message sent again after a
// lost connection is recognised.
type ChatMessage struct {
	Seq        int64
	ClientID   string
	FromSeeker bool
	Author     string // the counsellor's display name; empty for the help-seeker
	Body       string
	CreatedAt  time.Time
}

// ValidateChatMessage checks a chat message and the number its browser gave
// it.
func ValidateChatMessage(clientID, body string) error {
	if clientID == "" || len(clientID) > ClientIDMaxLen {
		return Errorf(EInvalid, "This message could not be read. Please send it again.")
	}
	for i := 0; i < len(clientID); i++ {
		c := clientID[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Errorf(EInvalid, "This message could not be read. Please send it again.")
		}
	}
	return ValidateText("body", body, ChatBodyMaxRunes)
}

// LiveChat is a chat as its page shows it.
type LiveChat struct {
	ID           string
	OfficeID     int64
	ThemeSlug    string
	ThemeName    string
	Status       string
	SeekerID     string
	Guest        bool // the help-seeker chats as a guest
	CounsellorID string
	Counsellor   string // display name, once accepted
	CreatedAt    time.Time
	Messages     []ChatMessage
	// TranscriptWithheld says that the caller loads the chat but not its
	// messages (LiveTranscriptScope): Messages is empty.
	TranscriptWithheld bool
	// Place is the chat's place in the live queue while it waits (1: next).
	Place int
	// AppointmentKind is the kind of the appointment that opened the chat
	// (SlotChat or SlotVideo; empty for any other chat), and
	// AppointmentEnds when that appointment ends.
	AppointmentKind string
	AppointmentEnds time.Time
}

// LiveQueueItem is a chat waiting in the live queue: its theme, since when it
// waits, and the first message when the help-seeker wrote one while waiting.
type LiveQueueItem struct {
	ID           string
	ThemeID      int64
	ThemeSlug    string
	ThemeName    string
	CreatedAt    time.Time
	FirstMessage string
}

// GuestName is the name a guest is shown by, made from the guest's account
// id, so that nothing about them needs storing: "Guest 4821".
func GuestName(accountID string) string {
	sum := sha256.Sum256([]byte("guest-name:" + accountID))
	return fmt.Sprintf("Guest %04d", binary.BigEndian.Uint32(sum[:4])%10000)
}

// ErrChatYours refuses a counsellor's second accept of a chat they already
// hold (a second press of the button); their page links the chat.
var ErrChatYours = Errorf(EConflict, "You have already accepted this chat.")

// ErrGuestOnlyChats refuses a guest anything but their chat: guests have no
// account to keep messages, settings or data in.
var ErrGuestOnlyChats = Errorf(EForbidden,
	"As a guest you can only chat. To write messages and keep your conversations, please register; it is anonymous.")

// MayUseAccountPages is the rule of who uses a registered help-seeker's pages
// (their conversations, account, terms): help-seekers who registered, and no
// guest.
func MayUseAccountPages(c Caller) bool {
	return c.Kind == KindSeeker && c.AccountID != "" && !c.Guest
}

// MayStartChat is the rule of who starts a chat: a help-seeker, registered or
// guest (a visitor without a session becomes a guest first). Staff do not.
func MayStartChat(c Caller) bool {
	return c.Kind == KindSeeker && c.AccountID != ""
}

// WaitBucket puts the time a chat waited to be accepted into the coarse
// bucket the statistics keep instead of the time itself.
func WaitBucket(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under-1m"
	case d < 5*time.Minute:
		return "1-5m"
	case d < 15*time.Minute:
		return "5-15m"
	case d < time.Hour:
		return "15-60m"
	}
	return "over-1h"
}

// WaitBuckets lists WaitBucket's buckets in order, as the year report's rows.
var WaitBuckets = []string{"under-1m", "1-5m", "5-15m", "15-60m", "over-1h"}

// DurationBucket puts the time a chat ran, from its acceptance to its end,
// into the coarse bucket the statistics keep.
func DurationBucket(d time.Duration) string {
	switch {
	case d < 10*time.Minute:
		return "under-10m"
	case d < 30*time.Minute:
		return "10-30m"
	case d < time.Hour:
		return "30-60m"
	}
	return "over-1h"
}

// DurationBuckets lists DurationBucket's buckets in order, as the year
// report's rows.
var DurationBuckets = []string{"under-10m", "10-30m", "30-60m", "over-1h"}

// Report dimensions of chats.
const (
	DimChatWait     = "chat_wait"
	DimChatDuration = "chat_duration"
)

// Availability: a counsellor who said "I'm available" stays so while a live
// tab of theirs is open (or was closed less than AvailabilityTabGrace ago) and
// they did something in the last AvailabilityIdle.
const (
	AvailabilityTabGrace = time.Minute
	AvailabilityIdle     = 15 * time.Minute
)

// Presence is what is known of a counsellor who said they are available.
type Presence struct {
	Tabs int // live tabs open now, on every node
	// TabsGoneAt is since when no tab of theirs has been open: when the
	// last one closed, or when it was first noticed that none is counted
	// any more (zero while one is open).
	TabsGoneAt time.Time
	ActiveAt   time.Time // the last thing they did
}

// Noticed is the presence to keep once its tabs were counted at now. Tabs
// can vanish without closing: the node that held them stopped, and a
// while later its connections no longer count. Such tabs are gone from the
// moment that is first noticed, as if they had closed then; a tab that is
// open again clears it.
func (p Presence) Noticed(now time.Time) Presence {
	switch {
	case p.Tabs > 0:
		p.TabsGoneAt = time.Time{}
	case p.TabsGoneAt.IsZero():
		p.TabsGoneAt = now
	}
	return p
}

// StillAvailable is the rule of when availability switches off by itself:
// once the last live tab has been gone AvailabilityTabGrace, or after
// AvailabilityIdle without activity. Tabs gone unnoticed count from now
// (Noticed): keep what Noticed returns, or they never stop counting.
func StillAvailable(p Presence, now time.Time) bool {
	p = p.Noticed(now)
	if now.Sub(p.ActiveAt) >= AvailabilityIdle {
		return false
	}
	if p.Tabs == 0 && now.Sub(p.TabsGoneAt) >= AvailabilityTabGrace {
		return false
	}
	return true
}

// HolderGoneGrace is how long a chat waits for its counsellor's page to come
// back after the connection was lost, before the chat goes back to the queue
// with its transcript and the help-seeker is told.
const HolderGoneGrace = time.Minute

// ChatRole is how a caller takes part in a chat live.
type ChatRole int

const (
	// ChatNone: the caller does not join the chat.
	ChatNone ChatRole = iota
	// ChatSeeker: the chat's help-seeker, who writes in it.
	ChatSeeker
	// ChatHolder: the counsellor who holds the chat and writes in it.
	ChatHolder
	// ChatReader: a supervisor of the chat's office who reads a running
	// chat along without writing in it. The counsellor is always told that
	// a supervisor is reading along; the help-seeker is not shown who.
	ChatReader
)

// JoinChatAs is the rule of who joins a chat live, once the store found that
// the caller may read it (ChatScope): its help-seeker and the counsellor who
// holds it, to write; and a supervisor of its office, while it runs, to read
// along. A waiting chat is joined by accepting it, and an ended one is read in
// the inbox.
func JoinChatAs(c Caller, ch *LiveChat) ChatRole {
	switch {
	case c.Kind == KindSeeker:
		if c.AccountID != "" && c.AccountID == ch.SeekerID {
			return ChatSeeker
		}
	case c.Counsels() && ch.CounsellorID != "" && ch.CounsellorID == c.AccountID:
		return ChatHolder
	case c.Supervises() && c.AccountID != "" && ch.Status == ChatRunning && ch.OfficeID == c.OfficeID:
		return ChatReader
	}
	return ChatNone
}

// ChatScope is the rule of which chats a caller loads live: those they read
// (ReadScope), and for a supervisor also the running chats of their office,
// to read along, but not the office's ended chats, which supervisors read on
// the conversation's page. Which messages the live page carries is
// LiveTranscriptScope.
func ChatScope(c Caller) ThreadScope {
	s := ReadScope(c)
	if c.Supervises() && !s.None {
		s.OrRunningChat = true
		s.OrEndedChat = false
	}
	return s
}

// RunningChat is a running chat as a supervisor's list of chats to read along
// shows it: its theme, who holds it and since when; never who is chatting.
type RunningChat struct {
	ID         string
	ThemeSlug  string
	ThemeName  string
	Counsellor string
	AcceptedAt time.Time
}

// ReadAlongScope is the rule of which chats a caller is offered to read
// along: for a supervisor, the running chats of their office; for anyone
// else none.
func ReadAlongScope(c Caller) ThreadScope {
	if !c.Supervises() || c.AccountID == "" {
		return ThreadScope{None: true}
	}
	return ThreadScope{OfficeID: c.OfficeID, OrRunningChat: true, Channel: ChannelChat}
}

// EndedChat is an ended chat as the supervisors' list of transcripts shows
// it: its theme, who held it and when it ended; never who was chatting.
type EndedChat struct {
	ID         string
	ThemeSlug  string
	ThemeName  string
	Counsellor string
	EndedAt    time.Time
}

// EndedChatsPageSize is how many ended chats the supervisors' list shows at
// once.
const EndedChatsPageSize = 50

// EndedChatScope is the rule of which ended chats a caller is offered to
// read the transcript of: for a supervisor, the ended chats of their office
// (TranscriptScope); for anyone else none.
func EndedChatScope(c Caller) ThreadScope {
	if c.AccountID == "" || !c.Supervises() {
		return ThreadScope{None: true}
	}
	return ThreadScope{OfficeID: c.OfficeID, OrEndedChat: true, Channel: ChannelChat}
}
