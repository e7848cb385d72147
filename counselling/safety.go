package counselling

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"
)

// A help-seeker who forgot their password gets back in with the recovery code
// shown once at registration (and again, a new one, after each recovery), or
// with a reset link mailed to the address they gave. Without either, a lost
// password means a new account, and the registration page says so.

// recoveryAlphabet is Crockford's base32: no I, L, O or U, so that a code
// copied by hand is not misread.
const recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// RecoveryCodeChars is the length of a recovery code without its dashes: 20
// characters of 5 bits, 100 random bits, far beyond guessing at the pace
// logins allow.
const RecoveryCodeChars = 20

// NewRecoveryCode returns a fresh recovery code in groups of four, such as
// "7KQ2-M9XD-…".
func NewRecoveryCode() string {
	var b strings.Builder
	for i := range RecoveryCodeChars {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		var r [1]byte
		rand.Read(r[:])
		b.WriteByte(recoveryAlphabet[r[0]&31])
	}
	return b.String()
}

// NormalizeRecoveryCode maps a recovery code as typed to the form that is
// hashed: spaces and dashes go, letters are upper case, and the letters
// Crockford's alphabet leaves out count as the digits they look like. A text
// that cannot be a code gives "".
func NormalizeRecoveryCode(s string) string {
	if len(s) > 100 || !utf8.ValidString(s) {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case !strings.ContainsRune(recoveryAlphabet, r):
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != RecoveryCodeChars {
		return ""
	}
	return b.String()
}

// ErrRecoveryFailed is the one answer to every failed recovery, whatever the
// cause: an unknown nickname, a wrong or used code, an account without a code,
// or a wait imposed by the password throttle. Recovery counts against
// guessing exactly like a login.
var ErrRecoveryFailed = &Error{Code: EUnauthorized,
	Message: "The nickname and recovery code do not match. If you have tried several times, wait a minute before the next try."}

// ResetLinkTTL is how long a mailed reset link works.
const ResetLinkTTL = 30 * time.Minute

// ResetLinkUsable reports whether a reset link issued to expire at expiresAt,
// and used already or not, may set a password at now: once, and only before
// it expires.
func ResetLinkUsable(expiresAt time.Time, used bool, now time.Time) bool {
	return !used && now.Before(expiresAt)
}

// ResetMailPause is how long after one reset mail to an account no other is
// sent, so that nobody can fill a person's mailbox with them.
const ResetMailPause = 5 * time.Minute

// ResetMailAllowed reports whether a reset mail may go to an account whose
// latest one was queued at last (zero: never) at now.
func ResetMailAllowed(last, now time.Time) bool {
	return last.IsZero() || !now.Before(last.Add(ResetMailPause))
}

// ErrResetLinkInvalid is the answer to a reset link that is unknown, used or
// expired.
var ErrResetLinkInvalid = &Error{Code: ENotFound,
	Message: "This link does not work any more: it was used already, or more than 30 minutes have passed. You can ask for a new one."}

// Blocking keeps an account that is misused from starting new conversations,
// without knowing anything about the person behind it (no IP address is ever
// stored). A counsellor who reads a conversation may block its help-seeker,
// with a reason; supervisors see every block of their office with its reason
// and lift it. The blocked person learns only ErrBlocked, and keeps their
// conversations, their export and their deletion.

// MayBlock reports whether a caller may block the help-seeker of a
// conversation they may read: counsellors and supervisors.
func MayBlock(c Caller) bool { return c.Counsels() }

// MayLiftBlock reports whether a caller sees the blocks of their office, with
// their reasons, and lifts them: supervisors.
func MayLiftBlock(c Caller) bool { return c.Supervises() }

// MayDeleteOnRequest reports whether a caller may delete a help-seeker's
// account of their office at the person's written request: supervisors.
func MayDeleteOnRequest(c Caller) bool { return c.Supervises() }

// BlockReasonMaxRunes bounds a block's reason.
const BlockReasonMaxRunes = 2000

// ValidateBlockReason checks the reason given for a block: it is needed, so
// that the supervisors who review the block know why.
func ValidateBlockReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !utf8.ValidString(reason):
		return "", FieldError("block_reason", "The reason contains characters that could not be read.")
	case reason == "":
		return "", FieldError("block_reason", "Please give a reason, so that the supervisors know why the account is blocked.")
	case utf8.RuneCountInString(reason) > BlockReasonMaxRunes:
		return "", FieldError("block_reason", "Please keep the reason to at most 2,000 characters.")
	}
	return reason, nil
}

// Block is a block as supervisors see it.
type Block struct {
	ID        string
	Nickname  string
	BlockedBy string // the staff member's name, "" when they are gone
	Reason    string
	CreatedAt time.Time
}

// DefaultOpenEnquiryLimit is how many open enquiries one account may have at
// once in a fresh office.
const DefaultOpenEnquiryLimit = 3

// MaxOpenEnquiryLimit bounds what an office may set.
const MaxOpenEnquiryLimit = 50

// ValidateOpenEnquiryLimit checks an office's limit on open enquiries.
func ValidateOpenEnquiryLimit(n int) error {
	if n < 1 || n > MaxOpenEnquiryLimit {
		return FieldError("open_enquiry_limit", "Please give a number from 1 to 50.")
	}
	return nil
}

// Answers to a help-seeker who may not start a conversation now. A blocked
// person is told no more than ErrBlocked.
var (
	ErrBlocked = &Error{Code: EForbidden,
		Message: "Your account can't start new conversations at the moment."}
	ErrTooManyOpen = &Error{Code: EConflict,
		Message: "You already have as many open conversations as one account may have. Please write in one of them; a new one can start once one is closed."}
)

// MayStartConversation decides whether a help-seeker may open an enquiry or a
// live chat: never while blocked, and an enquiry only while they have fewer
// open ones than the office's limit. open < 0 means the count does not apply
// (a live chat).
func MayStartConversation(blocked bool, open, limit int) error {
	switch {
	case blocked:
		return ErrBlocked
	case open >= 0 && open >= limit:
		return ErrTooManyOpen
	}
	return nil
}

// SessionWarning is how long before an idle session ends its pages warn and
// offer to stay logged in: five minutes, or a third of a short idle time.
func SessionWarning(idle time.Duration) time.Duration {
	return min(5*time.Minute, idle/3)
}

// IdleFor is the idle time of sessions of a kind.
func (p SessionPolicy) IdleFor(kind Kind) time.Duration {
	if kind == KindStaff && p.StaffIdle > 0 {
		return p.StaffIdle
	}
	return p.Idle
}
