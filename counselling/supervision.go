package counselling

import (
	"strconv"
	"strings"
	"time"
)

// Supervision protects counsellors and the people they counsel: a
// counsellor asks a supervisor to look at a conversation, or the office's
// sampling rule puts conversations with poor ratings in front of one. While a
// supervision item is open, the office's supervisors may read its
// conversation (ReadScope); every such reading is in the audit log and the
// counsellor sees that it happened. Closing the item with a note to the
// counsellor ends the reading.

// SupervisionKind says how an item reached the supervisors' queue.
type SupervisionKind string

// Kinds of supervision items.
const (
	SupervisionRequested SupervisionKind = "request" // a counsellor asked, with a reason
	SupervisionSampled   SupervisionKind = "sampled" // the sampling rule chose it
)

// SampledReason is the reason a sampled item carries, as a message id.
const SampledReason = "sampled: ratings"

// SupervisionItem is one conversation in the supervisors' queue.
type SupervisionItem struct {
	ID         string
	ThreadID   string
	Channel    string
	ThemeName  string
	Counsellor string // display name of the counsellor it is about
	// CounsellorID is the account of the counsellor it is about, or "".
	CounsellorID string
	Kind         SupervisionKind
	// Reason is the counsellor's reason, or SampledReason.
	Reason    string
	CreatedAt time.Time
	// ReadAt is when a supervisor first read the conversation for it.
	ReadAt   time.Time
	ClosedAt time.Time
	// Note is the supervisor's private note to the counsellor on closing.
	Note string
	// Ratings are the conversation's ratings with their comments, which
	// only supervisors read.
	Ratings []Rating
}

// Open reports whether the item still waits for a supervisor.
func (it SupervisionItem) Open() bool { return it.ClosedAt.IsZero() }

// QualitySettings are an office's rule for sampling conversations into
// supervision: when more than ThresholdPercent of a counsellor's last Window
// ratings by help-seekers are poor, Sample of those conversations go to the
// supervisors.
type QualitySettings struct {
	Window           int
	ThresholdPercent int
	Sample           int
}

// AuditSampling is the audit log's detail of a changed sampling rule.
const AuditSampling = "last {{.Window}} rated conversations, more than {{.Threshold}} % poor, {{.Sample}} sampled"

func init() { AuditDetailMessages = append(AuditDetailMessages, AuditSampling) }

// DefaultQualitySettings are a new office's sampling rule.
var DefaultQualitySettings = QualitySettings{Window: 20, ThresholdPercent: 30, Sample: 3}

// ParseQualitySettings reads the sampling rule from a form.
func ParseQualitySettings(window, threshold, sample string) (QualitySettings, error) {
	p := Problems{}
	num := func(field, v string, lo, hi int, msg string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			p.Add(field, msg)
		}
		return n
	}
	s := QualitySettings{
		Window:           num("window", window, 5, 200, "Please give a number of rated conversations from 5 to 200."),
		ThresholdPercent: num("threshold", threshold, 1, 99, "Please give a percentage from 1 to 99."),
		Sample:           num("sample", sample, 1, 20, "Please give a number of conversations to sample from 1 to 20."),
	}
	if p["window"] == "" && p["sample"] == "" && s.Sample > s.Window {
		p.Add("sample", "Please sample no more conversations than are looked at.")
	}
	return s, p.Err()
}

// RatedSession is a conversation a counsellor held and its help-seeker
// rated, for the sampling rule.
type RatedSession struct {
	ThreadID string
	Score    int
	// Supervised: the conversation already has an open supervision item.
	Supervised bool
}

// SampleForSupervision is the sampling rule. recent are the counsellor's
// rated conversations, newest first. Only the last s.Window count; with fewer
// the rule does not judge yet. When the share of poor ratings (PoorScore or
// less) among them exceeds s.ThresholdPercent, up to s.Sample of them are
// chosen: the poorly rated first, newest first, then the others, newest
// first, skipping those already in supervision. While pending is true (a
// sampled item of the counsellor's is still open) nothing more is sampled, so
// that one bad run does not fill the queue.
func SampleForSupervision(recent []RatedSession, s QualitySettings, pending bool) []string {
	if pending || s.Window <= 0 || s.Sample <= 0 || len(recent) < s.Window {
		return nil
	}
	window := recent[:s.Window]
	poor := 0
	for _, r := range window {
		if r.Score <= PoorScore {
			poor++
		}
	}
	if poor*100 <= s.ThresholdPercent*s.Window {
		return nil
	}
	var out []string
	pick := func(wantPoor bool) {
		for _, r := range window {
			if len(out) == s.Sample {
				return
			}
			if (r.Score <= PoorScore) == wantPoor && !r.Supervised {
				out = append(out, r.ThreadID)
			}
		}
	}
	pick(true)
	pick(false)
	return out
}

// ValidateSupervisionReason checks the reason a counsellor gives.
func ValidateSupervisionReason(reason string) error {
	return ValidateText("reason", reason, ReasonMaxRunes)
}

// ValidateSupervisionNote checks the note a supervisor closes an item with.
func ValidateSupervisionNote(note string) error {
	return ValidateText("note", note, ReasonMaxRunes)
}

// MayRequestSupervision is the rule of who asks for supervision on a
// conversation: the counsellor who holds it (ActScope with ActSupervise).
// MayCloseSupervision is the rule of who closes an item: a supervisor of the
// item's office who is not the counsellor it is about, so that nobody
// supervises themselves.
func MayCloseSupervision(c Caller, officeID int64, counsellorID string) bool {
	return c.Supervises() && c.AccountID != "" && c.OfficeID == officeID && counsellorID != c.AccountID
}

// SeesSupervisionItem is the rule of who sees a supervision item on its
// conversation's page, with the counsellor's reason and the supervisor's
// note: supervisors, and the counsellor it is about. A colleague who holds
// the conversation later, or stands in for it, does not read the note that
// was written to someone else.
func SeesSupervisionItem(c Caller, counsellorID string) bool {
	return c.Supervises() || (c.AccountID != "" && c.AccountID == counsellorID)
}

// ErrSupervisionOpen answers a request for a conversation already waiting
// for a supervisor.
var ErrSupervisionOpen = Errorf(EConflict, "This conversation is already waiting for a supervisor.")

// QueueHealth is how an office's queues stand, for its supervisors at a
// glance.
type QueueHealth struct {
	// EnquiriesWaiting are mail enquiries in the open queue; Overdue the
	// office's threads past their due time under its answer-time promise.
	EnquiriesWaiting int
	Overdue          OverdueCounts
	// ChatsWaiting are chats in the live queue, the longest waiting since
	// OldestChat.
	ChatsWaiting int
	OldestChat   time.Time
	// Available counsellors said they are available for live chat now;
	// InChat hold a running chat.
	Available int
	InChat    int
	// OpenFlags are conversations flagged as a risk to others and not closed.
	OpenFlags   int
	Supervision []SupervisionItem
}

// LongestWait is how long the longest-waiting chat has waited at now.
func (h QueueHealth) LongestWait(now time.Time) time.Duration {
	if h.ChatsWaiting == 0 || h.OldestChat.IsZero() {
		return 0
	}
	return max(now.Sub(h.OldestChat), 0)
}

// NoticeAttention is the neutral mail to supervisors that something in their
// office needs their attention (a new risk flag); it never says what.
const NoticeAttention NoticeKind = "attention"
