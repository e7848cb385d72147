package counselling

import "time"

// Guessing a password is slowed in two places, and only one of them can keep
// the owner out.
//
// The waiting period counts per account and per client: the failures of one
// client (known to the web layer only by a keyed hash of its address that is
// held in memory and renewed daily) against one account make that client wait
// before its next try for that account, up to a minute. A stranger who guesses
// once a minute therefore only ever slows themselves: the owner, logging in from
// their own connection, has no failures and is checked at once. One client gets
// about 70 guesses an hour at one account.
//
// The account also counts every failure from every client, in a window of an
// hour. Below AccountFailureCeiling that count changes nothing. Reaching it,
// which takes several clients guessing as fast as they are let, is an attack:
// the admins of the office are told (an audit-log entry, never an address), and
// from then until the window ends the account waits a minute after each
// failure, whoever tries. That is the one way to keep an owner out, and it
// needs many addresses and leaves a trace; without it, guessing from many
// addresses would not be slowed at all.
//
// Re-checks of the password from a held session (before changing the password
// or deleting the account) count exactly like logins.

// FailureWindow is how long failures count, from the first one of a window.
const FailureWindow = time.Hour

// AccountFailureCeiling is how many wrong passwords from all clients together
// in one window make the whole account wait, and alert its admins. It is well
// above what one client can reach in a window, so that one stranger cannot.
const AccountFailureCeiling = 300

// Failures counts failed attempts in a window that opens at the first failure
// and lasts a fixed time; after it, the count starts again from nothing.
type Failures struct {
	Count int
	Since time.Time // the first failure of the window
	Last  time.Time // the latest failure
}

// current is f as it stands at now: a window that has passed counts nothing.
func (f Failures) current(now time.Time, window time.Duration) Failures {
	if f.Count <= 0 || !now.Before(f.Since.Add(window)) {
		return Failures{}
	}
	return f
}

func (f Failures) add(now time.Time, window time.Duration) Failures {
	f = f.current(now, window)
	if f.Count == 0 {
		f.Since = now
	}
	f.Count++
	f.Last = now
	return f
}

// LoginDelay is how long one client must wait after its failed tries at one
// account before a password is checked again: nothing for the first three
// failures, then a delay that doubles up to one minute. It slows guessing
// without ever locking anyone out.
func LoginDelay(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	d := time.Second << min(failures-3, 6)
	return min(d, time.Minute)
}

// PasswordThrottle is what is known of recent wrong passwords for one account:
// from the client now asking, and from all clients together.
type PasswordThrottle struct {
	Client  Failures
	Account Failures
}

// Allowed reports whether a password for the account may be checked at now for
// this client. When it is not, even the right password is refused, and the
// refusal does not count as a failure.
func (t PasswordThrottle) Allowed(now time.Time) bool {
	c := t.Client.current(now, FailureWindow)
	if now.Before(c.Last.Add(LoginDelay(c.Count))) {
		return false
	}
	a := t.Account.current(now, FailureWindow)
	return a.Count < AccountFailureCeiling || !now.Before(a.Last.Add(time.Minute))
}

// AddPasswordFailure returns f after one more wrong password at now. It serves
// both counts, the client's and the account's.
func (f Failures) AddPasswordFailure(now time.Time) Failures {
	return f.add(now, FailureWindow)
}

// AlertsAdmins reports whether the failure that turned before into after made
// the account reach the ceiling: the moment its admins are told, once a window.
func AlertsAdmins(before, after Failures, now time.Time) bool {
	return before.current(now, FailureWindow).Count < AccountFailureCeiling && after.Count >= AccountFailureCeiling
}

// The second factor is capped per half-finished login (MaxSecondFactorFailures)
// and per account. Only someone who knows the password reaches the code step,
// so the account cap is no lever for a stranger: when it is reached, the
// password is known to someone it should not be, and stopping all codes for the
// rest of the day while the admins are told is the right answer, even though the
// owner is kept out too.

// Each code is counted as wrong before it is checked, in the same step that
// decides whether it may be checked at all, and given back only once it has
// passed. So however many requests arrive at once, from however many
// half-finished logins, no more codes are ever checked than the caps allow.

// Answers to a second factor that is refused. After ErrTooManyCodes and
// ErrCodesStopped the half-finished login has ended; a login that has already
// ended, for instance by a parallel request, gets ErrTooManyCodes too.
var (
	ErrWrongCode = FieldError("code",
		"This code is not right. Enter the current 6-digit code from your authenticator app.")
	ErrTooManyCodes = &Error{Code: EUnauthorized,
		Message: "Too many wrong codes. Please log in again."}
	ErrCodesStopped = &Error{Code: EUnauthorized,
		Message: "Too many wrong codes were entered for this account, so no code is accepted for up to a day. The admins have been told; please contact them."}
)

// SecondFactorWindow is how long wrong codes count against an account.
const SecondFactorWindow = 24 * time.Hour

// MaxAccountSecondFactorFailures is how many wrong codes an account may see in
// a window, over all its logins, before no code is checked until the window ends.
const MaxAccountSecondFactorFailures = 20

// SecondFactorAllowed reports whether a code may be checked for an account with
// these wrong codes at now.
func SecondFactorAllowed(f Failures, now time.Time) bool {
	return f.current(now, SecondFactorWindow).Count < MaxAccountSecondFactorFailures
}

// AddSecondFactorFailure returns f after one more wrong code at now.
func (f Failures) AddSecondFactorFailure(now time.Time) Failures {
	return f.add(now, SecondFactorWindow)
}
